#ifndef CFAULTLINE_OPENSSL_SHIM_H
#define CFAULTLINE_OPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/opensslv.h>

/* SSL_CTX_set_min_proto_version and friends are function-like macros that Swift cannot import. */
static inline int CFaultlineOpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int CFaultlineOpenSSL_SSL_CTX_get_min_proto_version(SSL_CTX *ctx) {
    return (int)SSL_CTX_get_min_proto_version(ctx);
}

static inline int CFaultlineOpenSSL_TLS1_2_VERSION(void) { return TLS1_2_VERSION; }
static inline int CFaultlineOpenSSL_TLS1_3_VERSION(void) { return TLS1_3_VERSION; }

#endif
