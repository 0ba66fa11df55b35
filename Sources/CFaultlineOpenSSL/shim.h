#ifndef CFAULTLINE_OPENSSL_SHIM_H
#define CFAULTLINE_OPENSSL_SHIM_H

#include <string.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>

/* SSL_CTX_set_min_proto_version and friends are function-like macros that Swift cannot import. */
static inline int CFaultlineOpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int CFaultlineOpenSSL_SSL_CTX_get_min_proto_version(SSL_CTX *ctx) {
    return (int)SSL_CTX_get_min_proto_version(ctx);
}

static inline int CFaultlineOpenSSL_TLS1_2_VERSION(void) { return TLS1_2_VERSION; }
static inline int CFaultlineOpenSSL_TLS1_3_VERSION(void) { return TLS1_3_VERSION; }

/* EVP_EC_gen is a macro over a variadic function. */
static inline EVP_PKEY *CFaultlineOpenSSL_EC_P256_gen(void) { return EVP_EC_gen("P-256"); }

/* SSL_CTX_set_mode is a macro. Partial writes let a non-blocking SSL_write return what it sent;
   a moving buffer lets the retry pass a buffer at another address. */
static inline void CFaultlineOpenSSL_SSL_CTX_set_nonblocking_modes(SSL_CTX *ctx) {
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

/* SSL_CTX_set_read_ahead is a macro. Read-ahead lets one read() take every record the socket
   holds, where OpenSSL otherwise reads a record's 5-byte header and then its body: one system
   call fewer per request. Buffered records are then invisible to SSL_pending; SSL_has_pending
   sees them. */
static inline void CFaultlineOpenSSL_SSL_CTX_set_read_ahead(SSL_CTX *ctx) {
    SSL_CTX_set_read_ahead(ctx, 1);
}

/* ALPN (RFC 7301): choose http/1.1 when the client offers it; otherwise go on without ALPN. */
static int CFaultlineOpenSSL_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                         const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl; (void)arg;
    unsigned int i = 0;
    while (i < inlen) {
        unsigned int length = in[i];
        if (i + 1 + length > inlen) break;
        if (length == 8 && memcmp(in + i + 1, "http/1.1", 8) == 0) {
            *out = in + i + 1;
            *outlen = (unsigned char)length;
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + length;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

static inline void CFaultlineOpenSSL_SSL_CTX_select_http11(SSL_CTX *ctx) {
    SSL_CTX_set_alpn_select_cb(ctx, CFaultlineOpenSSL_alpn_select, NULL);
}

/* Client side, for tests: offer http/1.1 (SSL_set_alpn_protos returns 0 on success). */
static inline int CFaultlineOpenSSL_SSL_offer_http11(SSL *ssl) {
    static const unsigned char protocols[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
    return SSL_set_alpn_protos(ssl, protocols, sizeof(protocols));
}

/* SSL_set_tlsext_host_name is a macro. */
static inline int CFaultlineOpenSSL_SSL_set_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

#endif
