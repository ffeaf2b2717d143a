/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/transport: what the server (http_server.c) shares with the request decisions
 * of transport_http.c. */
#ifndef CMC_TRANSPORT_HTTP_SERVER_H
#define CMC_TRANSPORT_HTTP_SERVER_H

#include <stddef.h>

#include "transport/transport_http.h"

/* Copy @p src into @p dst as one printable line: control characters become '?', so text
 * from a peer (a percent-decoded "%0a" in a path, say) cannot forge log or response lines. */
void cmci_http_copy_line(char *dst, size_t dstsz, const char *src);

#endif
