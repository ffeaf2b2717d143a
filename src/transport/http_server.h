/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/transport: what the server (http_server.c) shares with the request decisions
 * of transport_http.c. */
#ifndef CMC_TRANSPORT_HTTP_SERVER_H
#define CMC_TRANSPORT_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "transport/transport_http.h"

/* Copy @p src into @p dst as one printable ASCII line: control characters become '?', so text
 * from a peer (a percent-decoded "%0a" in a path, say) cannot forge log or response lines;
 * so do bytes from 0x80 up (a decoded "%ff" or "%9b", the 8-bit CSI), which would make a
 * text/plain; charset=utf-8 answer invalid UTF-8 and could drive a terminal showing the log. */
void cmci_http_copy_line(char *dst, size_t dstsz, const char *src);

/* The key under which max_connections_per_ip counts the peer @p ss: family byte, then the
 * IPv4 address, or the /64 prefix of an IPv6 one (an IPv4-mapped one counts as IPv4). */
void cmci_http_addr_key(const struct sockaddr_storage *ss, uint8_t key[17]);

#endif
