/* File storage through the C API: upload, serve, replace, delete, and every refusal. */
#include "harness.h"

/* The value of the string field `field` in `json`, copied into `out` (no escapes expected). */
static void json_string(mixplay_str json, const char *field, char *out, size_t cap) {
    char key[64];
    const char *at, *end;
    snprintf(key, sizeof key, "\"%s\":\"", field);
    at = json.ptr != NULL ? strstr(json.ptr, key) : NULL;
    if (at == NULL) H_FAIL("no %s in %.*s", field, (int)json.len, json.ptr);
    at += strlen(key);
    end = strchr(at, '"');
    if (end == NULL || (size_t)(end - at) >= cap) H_FAIL("%s does not fit", field);
    memcpy(out, at, (size_t)(end - at));
    out[end - at] = '\0';
}

/* A PNG-looking file of `len` bytes (the mediator reads the type from the first bytes). */
static void make_png(unsigned char *buf, size_t len, unsigned seed) {
    static const unsigned char magic[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    size_t i;
    for (i = 0; i < len; i++) buf[i] = (unsigned char)((i * 31u + seed) % 251u);
    memcpy(buf, magic, sizeof magic);
}

static void hex(const unsigned char *buf, size_t len, char *out) {
    size_t i;
    for (i = 0; i < len; i++) sprintf(out + 2 * i, "%02x", buf[i]);
    out[2 * len] = '\0';
}

/* Loads `url` as a viewer's page would and checks the status, type and bytes. */
static void expect_served(const char *url, int status, const char *type, const unsigned char *bytes, size_t len) {
    static char want[2 * 4096 + 256];
    static char hexed[2 * 4096 + 1];
    H_CHECK(h_cmd("FETCH %s", url) == 0);
    if (bytes != NULL) {
        hex(bytes, len, hexed);
        snprintf(want, sizeof want, "%d %s %u %s", status, type, (unsigned)len, hexed);
    } else {
        snprintf(want, sizeof want, "%d %s", status, type);
    }
    if (strncmp(h()->line, want, strlen(want)) != 0) H_FAIL("FETCH %s gave \"%.120s\", expected \"%.120s\"", url, h()->line, want);
}

int main(int argc, char **argv) {
    static unsigned char tile[1000], again[1200], big[5000];
    char url[512], expect[512];
    const mixplay_event *e;
    mixplay_config *c;
    mixplay_session *s;
    uint64_t id;

    h_init(argc, argv);
    c = h_config();
    s = h_connect(c);

    /* Uploaded: the reply says where viewers load it; loading it gives the same bytes. */
    make_png(tile, sizeof tile, 1);
    H_OK(mixplay_session_upload_file(s, "images/tile.png", tile, sizeof tile, &id));
    e = h_reply_ok(s, id);
    json_string(e->json, "url", url, sizeof url);
    snprintf(expect, sizeof expect, "%s/files/1/images/tile.png", h()->base_url);
    if (strcmp(url, expect) != 0) H_FAIL("the url is %s, expected %s", url, expect);
    H_CHECK(h_contains(e->json, "\"contentType\":\"image/png\""));
    H_CHECK(h_contains(e->json, "\"size\":1000"));
    expect_served(url, 200, "image/png", tile, sizeof tile);

    /* Uploading to the same path replaces it. */
    make_png(again, sizeof again, 7);
    H_OK(mixplay_session_upload_file(s, "images/tile.png", again, sizeof again, &id));
    h_reply_ok(s, id);
    expect_served(url, 200, "image/png", again, sizeof again);

    /* Refusals: a bad path is the method's 4004; past the quota the upload's 413, with the
     * service's sentence; nothing is kept. */
    H_OK(mixplay_session_upload_file(s, "../up.png", tile, sizeof tile, &id));
    H_CHECK(h_reply_err(s, id) == 4004);
    make_png(big, sizeof big, 3);
    H_OK(mixplay_session_upload_file(s, "big.png", big, sizeof big, &id));
    H_CHECK(h_reply_err(s, id) == 413);
    H_CHECK(h_contains(h()->last.text, "--file-quota"));
    snprintf(expect, sizeof expect, "%s/files/1/big.png", h()->base_url);
    expect_served(expect, 404, "", NULL, 0);

    /* An empty file is a file. */
    H_OK(mixplay_session_upload_file(s, "empty.txt", NULL, 0, &id));
    e = h_reply_ok(s, id);
    H_CHECK(h_contains(e->json, "\"size\":0"));

    /* Deleted: gone for viewers; deleting again is no error. */
    H_OK(mixplay_session_delete_file(s, "images/tile.png", &id));
    e = h_reply_ok(s, id);
    H_STREQ(e->json, "null");
    expect_served(url, 404, "", NULL, 0);
    H_OK(mixplay_session_delete_file(s, "images/tile.png", &id));
    h_reply_ok(s, id);

    /* Misuse is refused before anything is sent. */
    H_RC(mixplay_session_upload_file(s, "x.png", NULL, 5, &id), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_session_upload_file(s, NULL, tile, 1, &id), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_session_upload_file(s, "", tile, 1, &id), MIXPLAY_RESULT_INVALID_ARGUMENT);
    H_RC(mixplay_session_upload_file(s, "x.png", tile, 1, NULL), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_session_delete_file(s, NULL, &id), MIXPLAY_RESULT_NULL_ARGUMENT);
    H_RC(mixplay_session_delete_file(s, "", &id), MIXPLAY_RESULT_INVALID_ARGUMENT);

    mixplay_session_free(s);
    mixplay_config_free(c);
    h_done();
    return 0;
}
