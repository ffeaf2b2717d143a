/* SPDX-License-Identifier: Apache-2.0 */
/* Writes one DER file per sample CMC/CRMF value and a manifest.json of expected field values,
 * for check_pyasn1.py (an independent decoder) and as fuzz seeds. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "asn1_samples.h"

static int write_file(const char *path, const unsigned char *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return 0;
    }
    ok = fwrite(d, 1, n, f) == n;
    ok = (fclose(f) == 0) && ok;
    return ok;
}

int main(int argc, char **argv)
{
    char path[4096];
    FILE *man;
    int first = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    if (mkdir(argv[1], 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    (void)snprintf(path, sizeof(path), "%s/manifest.json", argv[1]);
    man = fopen(path, "w");
    if (man == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(man, "[\n");
    for (size_t i = 0; i < cmc_samples_count; i++) {
        const struct cmc_sample *s = &cmc_samples[i];
        ASN1_VALUE *v = s->build();
        unsigned char *der = NULL;
        size_t len = sample_i2d(s->it(), v, &der);

        (void)snprintf(path, sizeof(path), "%s/%s.der", argv[1], s->name);
        if (!write_file(path, der, len))
            return 1;
        OPENSSL_free(der);
        ASN1_item_free(v, s->it());
        /* types pyasn1-modules has no class for are written but not listed */
        if (s->pymodule == NULL)
            continue;
        fprintf(man, "%s  {\"file\": \"%s.der\", \"module\": \"%s\", \"type\": \"%s\", "
                     "\"expect\": %s}",
                first ? "" : ",\n", s->name, s->pymodule, s->pytype, s->expect);
        first = 0;
    }
    fprintf(man, "\n]\n");
    return fclose(man) == 0 ? 0 : 1;
}
