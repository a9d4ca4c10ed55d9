/* Host driver for the bootloader's Ed25519 and SHA-512 (firmware/crypto/), built with the
 * system cc by tests/test_ed25519_c.py. Reads lines from stdin and answers one line each:
 *   "verify <public key hex> <signature hex> <message hex>" -> "1" or "0"
 *   "sha512 <message hex>"                                   -> the digest in hex
 * (an empty message is written "-"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ed25519.h"
#include "sha512.h"

static size_t from_hex(const char *text, uint8_t *out, size_t cap)
{
    if (strcmp(text, "-") == 0) {
        return 0;
    }
    size_t n = strlen(text) / 2;
    if (n > cap) {
        fprintf(stderr, "input too long\n");
        exit(2);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned byte;
        if (sscanf(&text[2 * i], "%2x", &byte) != 1) {
            fprintf(stderr, "bad hex\n");
            exit(2);
        }
        out[i] = (uint8_t)byte;
    }
    return n;
}

int main(void)
{
    static char line[1 << 18];
    static uint8_t message[1 << 17];
    char word[16];
    static char a[1 << 17], b[1 << 17], c[1 << 17];
    while (fgets(line, sizeof line, stdin)) {
        if (sscanf(line, "%15s", word) != 1) {
            continue;
        }
        if (strcmp(word, "verify") == 0 && sscanf(line, "%*s %131071s %131071s %131071s", a, b, c) == 3) {
            uint8_t key[32], sig[64];
            if (from_hex(a, key, sizeof key) != 32 || from_hex(b, sig, sizeof sig) != 64) {
                fprintf(stderr, "bad key or signature length\n");
                return 2;
            }
            size_t n = from_hex(c, message, sizeof message);
            printf("%d\n", ed25519_verify(sig, message, n, key) ? 1 : 0);
        } else if (strcmp(word, "sha512") == 0 && sscanf(line, "%*s %131071s", a) == 1) {
            size_t n = from_hex(a, message, sizeof message);
            uint8_t digest[64];
            sha512_t ctx;
            sha512_init(&ctx);
            sha512_update(&ctx, message, n);
            sha512_final(&ctx, digest);
            for (int i = 0; i < 64; i++) {
                printf("%02x", digest[i]);
            }
            printf("\n");
        } else {
            fprintf(stderr, "unknown request: %s", line);
            return 2;
        }
        fflush(stdout);
    }
    return 0;
}
