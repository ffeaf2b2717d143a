/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/transport: our own HTTP/1.1 server (http_server.c) and the helpers it shares
 * with transport_http.c. */
#ifndef CMC_TRANSPORT_HTTP_SERVER_H
#define CMC_TRANSPORT_HTTP_SERVER_H

#include <stddef.h>

#include "transport/transport_http.h"

struct cmci_hs;

/* Same contracts as cmci_http_server_start/_port/_threads/_set_limits/_stop. */
cmc_err cmci_hs_start(struct cmci_hs **out, const struct cmc_http_server_config *cfg,
                      cmc_http_handler_cb cb, void *arg) CMC_WUR;
unsigned cmci_hs_port(const struct cmci_hs *s);
unsigned cmci_hs_threads(const struct cmci_hs *s);
void cmci_hs_set_limits(struct cmci_hs *s, size_t max_body, unsigned request_timeout_s);
void cmci_hs_stop(struct cmci_hs *s);

/* Copy @p src into @p dst as one printable line (control characters become '?'). */
void cmci_http_copy_line(char *dst, size_t dstsz, const char *src);

#endif
