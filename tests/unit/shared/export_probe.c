/* SPDX-License-Identifier: Apache-2.0 */
/* A shared library that exports what libcmc.so must not: an internal cmci_ function and a
 * cmc_ function no header declares. check_exports.cmake must name both (the
 * shared_exports_probe test), which shows the check can fail. */
__attribute__((visibility("default"))) int cmci_export_probe(void);
__attribute__((visibility("default"))) int cmc_export_probe_undeclared(void);

int cmci_export_probe(void)
{
    return 1;
}

int cmc_export_probe_undeclared(void)
{
    return 2;
}
