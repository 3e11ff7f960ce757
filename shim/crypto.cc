/*
 * crypto.cc: the natives of Web Crypto (js/40-crypto.js), through OpenSSL 3:
 * random bytes, digests, and keys whose material never leaves C++ unless
 * the key says it may.
 *
 * A key is a Key: raw bytes (secret keys, in a backing store counted against
 * the isolate's memory budget) or an EVP_PKEY.  JS holds it as a
 * v8::External that only the runtime's CryptoKey keeps, in a private field;
 * a native takes an External only if it is one of this isolate's live keys,
 * so no function can forge a key or point one at other bytes.  Whether a
 * key may leave C++ (extractable) and what it may be used for are fixed when
 * it is made and checked here, not only in JS.  A weak callback frees a key
 * once its CryptoKey is collected; those still alive when the isolate goes
 * are freed with it (CryptoDispose).  Nothing of OpenSSL is made before a
 * function uses it.
 *
 * Natives trust none of their arguments.  A failure throws an Error whose
 * own "domName" is the DOMException the runtime turns it into
 * (OperationError, DataError, ...); a bad argument is a TypeError.  Work on
 * large inputs goes in slices of 1 MB, between which the CPU watchdog may
 * stop it; so does RSA key generation, through OpenSSL's callback.
 */

#include <cstring>
#include <unordered_set>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "engine.h"


namespace jsfn {

/* usages, as bits: the same values as in 40-crypto.js */
enum {
    USE_ENCRYPT = 1,
    USE_DECRYPT = 2,
    USE_SIGN = 4,
    USE_VERIFY = 8,
    USE_DERIVE_KEY = 16,
    USE_DERIVE_BITS = 32,
    USE_WRAP = 64,
    USE_UNWRAP = 128,
};

enum { KEY_SECRET, KEY_PUBLIC, KEY_PRIVATE };

/* input handled between two looks at the watchdog */
static const size_t  slice = 1u << 20;

/*
 * RSA moduli: generated from 1024 to 4096 bits (4096 costs 0.5 to several
 * seconds of CPU), imported up to 8192 bits (a private operation with 8192
 * bits costs ~40 ms, with 16384 bits ~0.3 s, in one call that nothing can
 * stop).
 */
static const int     rsa_gen_min = 1024;
static const int     rsa_gen_max = 4096;
static const int     rsa_max = 8192;


struct Key {
    CryptoState                        *state = nullptr;
    int                                 type = KEY_SECRET;
    bool                                extractable = false;
    uint32_t                            usages = 0;

    /* a secret key's bytes, or an asymmetric key */
    std::shared_ptr<v8::BackingStore>   secret;
    EVP_PKEY                           *pkey = nullptr;

    /* an HMAC key's keyed context, made on its first use */
    EVP_MAC_CTX                        *hmac = nullptr;
    const EVP_MD                       *hmac_md = nullptr;

    /* memory outside V8 reported with AdjustAmountOfExternalAllocatedMemory */
    int64_t                             charged = 0;
    v8::Global<v8::External>            handle;
};


struct CryptoState {
    std::unordered_set<Key *>  keys;

    /* memory of keys freed by GC, reported to V8 at the next key made */
    int64_t                    freed = 0;
};


/* bytes from JS, kept alive while used */
struct Bytes {
    const uint8_t                      *p = nullptr;
    size_t                              n = 0;
    std::shared_ptr<v8::BackingStore>   keep;
};


namespace {

const uint8_t  empty[1] = { 0 };


/* ---- arguments and errors ---------------------------------------------- */

void
ThrowType(v8::Isolate *isolate, const char *msg)
{
    isolate->ThrowException(v8::Exception::TypeError(
        v8::String::NewFromUtf8(isolate, msg).ToLocalChecked()));
}


/* an Error the runtime rethrows as a DOMException "name" */
void
ThrowDom(v8::Isolate *isolate, const char *name, const std::string &msg)
{
    v8::Local<v8::Context>  ctx = isolate->GetCurrentContext();
    v8::Local<v8::Value>    e;

    ERR_clear_error();

    e = v8::Exception::Error(v8::String::NewFromUtf8(isolate, msg.c_str())
                                 .ToLocalChecked());
    e.As<v8::Object>()->CreateDataProperty(ctx,
        v8::String::NewFromUtf8Literal(isolate, "domName"),
        v8::String::NewFromUtf8(isolate, name).ToLocalChecked()).Check();
    isolate->ThrowException(e);
}


void
Operation(v8::Isolate *isolate, const std::string &msg)
{
    ThrowDom(isolate, "OperationError", msg);
}


bool
GetBytes(v8::Local<v8::Value> v, Bytes *b)
{
    if (!ViewBytes(v, &b->p, &b->n, &b->keep) || b->keep->IsShared()) {
        return false;
    }

    if (b->n == 0 || b->p == nullptr) {
        b->p = empty;
        b->n = 0;
    }

    return true;
}


bool
GetString(v8::Isolate *isolate, v8::Local<v8::Value> v, std::string *s)
{
    if (!v->IsString() || v.As<v8::String>()->Length() > 32) {
        return false;
    }

    v8::String::Utf8Value  u(isolate, v);

    s->assign(*u, u.length());
    return true;
}


bool
GetUint(v8::Local<v8::Value> v, double max, uint64_t *out)
{
    double  d;

    if (!v->IsNumber()) {
        return false;
    }

    d = v.As<v8::Number>()->Value();

    if (!(d >= 0 && d <= max) || d != (double) (uint64_t) d) {
        return false;
    }

    *out = (uint64_t) d;
    return true;
}


/* one of this isolate's live keys, or nullptr */
Key *
GetKey(v8::Isolate *isolate, v8::Local<v8::Value> v)
{
    Isolate  *self = Isolate::From(isolate);
    Key      *k;

    if (self == nullptr || self->crypto == nullptr || !v->IsExternal()) {
        return nullptr;
    }

    k = static_cast<Key *>(v.As<v8::External>()->Value());

    return self->crypto->keys.count(k) ? k : nullptr;
}


/* an ArrayBuffer of n bytes within the budget, or a RangeError */
bool
NewOut(v8::Isolate *isolate, size_t n, v8::Local<v8::ArrayBuffer> *ab)
{
    Isolate  *self = Isolate::From(isolate);

    if (self == nullptr || !self->NewBuffer(n, true).ToLocal(ab)) {
        isolate->ThrowException(v8::Exception::RangeError(
            v8::String::NewFromUtf8Literal(isolate,
                "Array buffer allocation failed")));
        return false;
    }

    return true;
}


uint8_t *
Data(v8::Local<v8::ArrayBuffer> ab)
{
    return static_cast<uint8_t *>(ab->Data());
}


/* a copy of p[0..n) as an ArrayBuffer (or a Uint8Array), or empty */
v8::Local<v8::Value>
Out(v8::Isolate *isolate, const uint8_t *p, size_t n, bool u8 = false)
{
    v8::Local<v8::ArrayBuffer>  ab;

    if (!NewOut(isolate, n, &ab)) {
        return v8::Local<v8::Value>();
    }

    if (n) {
        memcpy(Data(ab), p, n);
    }

    if (u8) {
        return v8::Uint8Array::New(ab, 0, n);
    }

    return ab;
}


bool
Stopped(v8::Isolate *isolate)
{
    if (!WatchdogFired()) {
        return false;
    }

    Operation(isolate, "stopped at the CPU time limit");
    return true;
}


/* ---- algorithms, fetched once per process on first use ----------------- */

const EVP_MD *
Md(v8::Isolate *isolate, v8::Local<v8::Value> v)
{
    static const char *const  names[][2] = {
        { "SHA-1", "SHA1" }, { "SHA-256", "SHA2-256" },
        { "SHA-384", "SHA2-384" }, { "SHA-512", "SHA2-512" },
    };
    static EVP_MD            *mds[4];
    std::string               s;

    if (GetString(isolate, v, &s)) {
        for (size_t i = 0; i < 4; i++) {
            if (s == names[i][0]) {
                if (mds[i] == nullptr) {
                    mds[i] = EVP_MD_fetch(nullptr, names[i][1], nullptr);
                }

                if (mds[i] == nullptr) {
                    Operation(isolate, "no digest " + s + " in OpenSSL");
                }

                return mds[i];
            }
        }
    }

    ThrowType(isolate, "unknown hash");
    return nullptr;
}


/* AES in a mode, by key size: "CBC", "CTR", "GCM" or "WRAP" */
const EVP_CIPHER *
Aes(v8::Isolate *isolate, const char *mode, size_t keylen)
{
    static const char *const  modes[] = { "CBC", "CTR", "GCM", "WRAP" };
    static EVP_CIPHER        *ciphers[4][3];
    size_t                    m, s;

    for (m = 0; m < 4 && strcmp(modes[m], mode) != 0; m++) { /* void */ }

    s = keylen == 16 ? 0 : keylen == 24 ? 1 : keylen == 32 ? 2 : 3;

    if (m == 4 || s == 3) {
        Operation(isolate, "no AES of that key length");
        return nullptr;
    }

    if (ciphers[m][s] == nullptr) {
        std::string  name = "AES-" + std::to_string(keylen * 8) + "-" + mode;

        ciphers[m][s] = EVP_CIPHER_fetch(nullptr, name.c_str(), nullptr);

        if (ciphers[m][s] == nullptr) {
            Operation(isolate, "no " + name + " in OpenSSL");
        }
    }

    return ciphers[m][s];
}


EVP_MAC *
HmacAlgorithm()
{
    static EVP_MAC  *mac;

    if (mac == nullptr) {
        mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    }

    return mac;
}


/* an HMAC context keyed with key[0..n) over md */
EVP_MAC_CTX *
HmacNew(const EVP_MD *md, const uint8_t *key, size_t n)
{
    EVP_MAC_CTX  *ctx;
    OSSL_PARAM    params[2];

    if (HmacAlgorithm() == nullptr
        || (ctx = EVP_MAC_CTX_new(HmacAlgorithm())) == nullptr)
    {
        return nullptr;
    }

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                    const_cast<char *>(EVP_MD_get0_name(md)), 0);
    params[1] = OSSL_PARAM_construct_end();

    if (EVP_MAC_init(ctx, n ? key : empty, n, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return nullptr;
    }

    return ctx;
}


/* ---- keys ---------------------------------------------------------------- */

CryptoState *
State(Isolate *self)
{
    if (self->crypto == nullptr) {
        self->crypto = new CryptoState();
    }

    return self->crypto;
}


void
KeyFree(Key *k)
{
    if (k->secret) {
        OPENSSL_cleanse(k->secret->Data(), k->secret->ByteLength());
        k->secret.reset();
    }

    EVP_MAC_CTX_free(k->hmac);
    EVP_PKEY_free(k->pkey);
    delete k;
}


/* the CryptoKey is gone: first pass of a weak callback, so no V8 calls */
void
KeyGone(const v8::WeakCallbackInfo<Key> &info)
{
    Key  *k = info.GetParameter();

    k->handle.Reset();
    k->state->keys.erase(k);
    k->state->freed += k->charged;
    KeyFree(k);
}


/* hands k to JS as a weak External; k is the isolate's from now on */
v8::Local<v8::Value>
Wrap(v8::Isolate *isolate, Key *k)
{
    CryptoState             *st = State(Isolate::From(isolate));
    v8::Local<v8::External>  ext = v8::External::New(isolate, k);

    if (k->pkey != nullptr) {
        k->charged = 1024 + 8 * (int64_t) EVP_PKEY_get_size(k->pkey);
    }

    k->state = st;
    k->handle.Reset(isolate, ext);
    k->handle.SetWeak(k, KeyGone, v8::WeakCallbackType::kParameter);
    st->keys.insert(k);

    isolate->AdjustAmountOfExternalAllocatedMemory(k->charged - st->freed);
    st->freed = 0;

    return ext;
}


/* a key of the given EVP_PKEY (owned from now on), or an exception */
v8::Local<v8::Value>
WrapPkey(v8::Isolate *isolate, EVP_PKEY *pkey, int type, bool extractable,
    uint32_t usages)
{
    Key  *k = new Key();

    /* what a check or a parse that failed on the way may have queued */
    ERR_clear_error();

    k->type = type;
    k->extractable = extractable || type == KEY_PUBLIC;
    k->usages = usages;
    k->pkey = pkey;

    return Wrap(isolate, k);
}


/* a key without its private half, as spki would carry it */
EVP_PKEY *
PublicOnly(EVP_PKEY *pkey)
{
    unsigned char        *der = nullptr;
    const unsigned char  *p;
    int                   n;
    EVP_PKEY             *pub;

    n = i2d_PUBKEY(pkey, &der);
    if (n <= 0) {
        return nullptr;
    }

    p = der;
    pub = d2i_PUBKEY(nullptr, &p, n);
    OPENSSL_free(der);

    return pub;
}


/* usages; false also while making the snapshot, where no key can be kept */
bool
GetUsages(v8::Local<v8::Value> v, uint32_t *usages)
{
    uint64_t  u;

    if (!GetUint(v, 255, &u)
        || Isolate::From(v8::Isolate::GetCurrent()) == nullptr)
    {
        return false;
    }

    *usages = (uint32_t) u;
    return true;
}


/* the key in "v", which must have one of the usages "use" */
Key *
UseKey(v8::Isolate *isolate, v8::Local<v8::Value> v, uint32_t use)
{
    Key  *k = GetKey(isolate, v);

    if (k == nullptr) {
        ThrowType(isolate, "not a key");
        return nullptr;
    }

    if ((k->usages & use) == 0) {
        ThrowDom(isolate, "InvalidAccessError",
                 "the key does not allow this operation");
        return nullptr;
    }

    return k;
}


/* the key's type must be "type" and its OpenSSL type "id" (0: secret) */
bool
KeyIs(v8::Isolate *isolate, Key *k, int type, int id)
{
    if (k->type != type
        || (id == 0 ? k->secret == nullptr
                    : k->pkey == nullptr || EVP_PKEY_get_base_id(k->pkey) != id))
    {
        ThrowDom(isolate, "InvalidAccessError",
                 "the key does not fit this operation");
        return false;
    }

    return true;
}


int
KeyId(const std::string &kind)
{
    if (kind == "RSA") {
        return EVP_PKEY_RSA;
    }

    if (kind == "P-256" || kind == "P-384" || kind == "P-521") {
        return EVP_PKEY_EC;
    }

    if (kind == "Ed25519") {
        return EVP_PKEY_ED25519;
    }

    if (kind == "X25519") {
        return EVP_PKEY_X25519;
    }

    return 0;
}


/* bytes of a coordinate or scalar of an EC key's curve */
size_t
EcSize(EVP_PKEY *pkey)
{
    return (EVP_PKEY_get_bits(pkey) + 7) / 8;
}


/* the NIST name of an EC key's curve, or "" */
std::string
EcCurve(EVP_PKEY *pkey)
{
    char    name[64];
    size_t  len;
    int     nid;

    if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) != 1) {
        return "";
    }

    nid = OBJ_sn2nid(name);
    if (nid == NID_undef) {
        nid = EC_curve_nist2nid(name);
    }

    const char  *nist = nid == NID_undef ? nullptr : EC_curve_nid2nist(nid);

    return nist ? nist : "";
}


bool
BnOut(v8::Isolate *isolate, v8::Local<v8::Object> o, const char *name,
    const BIGNUM *bn, size_t pad)
{
    std::vector<uint8_t>  buf(pad ? pad : (size_t) BN_num_bytes(bn));
    v8::Local<v8::Value>  v;

    if (pad ? BN_bn2binpad(bn, buf.data(), (int) pad) < 0
            : BN_bn2bin(bn, buf.data()) < 0)
    {
        Operation(isolate, "cannot export the key");
        return false;
    }

    v = Out(isolate, buf.data(), buf.size(), true);
    OPENSSL_cleanse(buf.data(), buf.size());

    return !v.IsEmpty()
           && o->CreateDataProperty(isolate->GetCurrentContext(),
                  v8::String::NewFromUtf8(isolate, name).ToLocalChecked(), v)
                  .FromMaybe(false);
}


/* a parameter of the key as bytes into object "o" (JWK export) */
bool
ParamOut(v8::Isolate *isolate, v8::Local<v8::Object> o, EVP_PKEY *pkey,
    const char *param, const char *name, size_t pad)
{
    BIGNUM  *bn = nullptr;
    bool     ok;

    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1) {
        Operation(isolate, std::string("cannot export the key's ") + name);
        return false;
    }

    ok = BnOut(isolate, o, name, bn, pad);
    BN_clear_free(bn);

    return ok;
}


/* member "name" of a JWK record from the runtime: bytes or absent */
bool
JwkField(v8::Isolate *isolate, v8::Local<v8::Object> o, const char *name,
    Bytes *b, bool *present)
{
    v8::Local<v8::Value>  v;

    if (!o->Get(isolate->GetCurrentContext(),
                v8::String::NewFromUtf8(isolate, name).ToLocalChecked())
             .ToLocal(&v))
    {
        return false;
    }

    *present = !v->IsUndefined();

    if (*present && !GetBytes(v, b)) {
        ThrowType(isolate, "a JWK member must be bytes");
        return false;
    }

    return true;
}


BIGNUM *
Bn(const Bytes &b)
{
    return BN_bin2bn(b.p, (int) b.n, nullptr);
}


/* ---- JWK import ---------------------------------------------------------- */

EVP_PKEY *
FromData(const char *type, int selection, OSSL_PARAM *params)
{
    EVP_PKEY_CTX  *ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
    EVP_PKEY      *pkey = nullptr;

    if (ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
        EVP_PKEY_fromdata(ctx, &pkey, selection, params);
    }

    EVP_PKEY_CTX_free(ctx);
    return pkey;
}


EVP_PKEY *
RsaFromJwk(v8::Isolate *isolate, v8::Local<v8::Object> o, bool *priv)
{
    static const char *const  names[] = { "n", "e", "d", "p", "q", "dp",
                                          "dq", "qi" };
    static const char *const  params[] = {
        OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
        OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
    };
    Bytes            b[8];
    bool             have[8];
    BIGNUM          *bn[8] = {};
    OSSL_PARAM_BLD  *bld = nullptr;
    OSSL_PARAM      *ps = nullptr;
    EVP_PKEY        *pkey = nullptr;
    BN_CTX          *bctx = nullptr;
    BIGNUM          *pq = nullptr;
    size_t           i, count;
    bool             ok = true;

    for (i = 0; i < 8; i++) {
        if (!JwkField(isolate, o, names[i], &b[i], &have[i])) {
            return nullptr;
        }
    }

    *priv = have[2];
    count = *priv ? 8 : 2;

    for (i = 0; i < count; i++) {
        if (!have[i] || b[i].n == 0) {
            ThrowDom(isolate, "DataError", std::string("the JWK has no \"")
                     + names[i] + "\"");
            return nullptr;
        }
    }

    if (b[0].n * 8 > (size_t) rsa_max + 8) {
        ThrowDom(isolate, "NotSupportedError", "RSA keys of more than 8192"
                 " bits are not supported");
        return nullptr;
    }

    /* nothing longer than the modulus is worth the arithmetic on it */
    for (i = 1; i < count; i++) {
        if (b[i].n > b[0].n) {
            ThrowDom(isolate, "DataError", std::string("the JWK's \"")
                     + names[i] + "\" is longer than its modulus");
            return nullptr;
        }
    }

    bld = OSSL_PARAM_BLD_new();

    for (i = 0; i < count && ok; i++) {
        bn[i] = Bn(b[i]);
        ok = bld != nullptr && bn[i] != nullptr
             && OSSL_PARAM_BLD_push_BN(bld, params[i], bn[i]) == 1;
    }

    /* n = p q: cheap, and catches a private key put together wrong */
    if (ok && *priv) {
        bctx = BN_CTX_new();
        pq = BN_new();
        ok = bctx != nullptr && pq != nullptr
             && BN_mul(pq, bn[3], bn[4], bctx) == 1 && BN_cmp(pq, bn[0]) == 0;
    }

    if (ok && (ps = OSSL_PARAM_BLD_to_param(bld)) != nullptr) {
        pkey = FromData("RSA", *priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        ps);
    }

    OSSL_PARAM_free(ps);
    OSSL_PARAM_BLD_free(bld);
    BN_free(pq);
    BN_CTX_free(bctx);

    for (i = 0; i < 8; i++) {
        BN_clear_free(bn[i]);
    }

    if (pkey == nullptr) {
        ThrowDom(isolate, "DataError", "invalid RSA JWK");
    }

    return pkey;
}


/*
 * No part of an RSA key longer than its modulus: an exponent of megabytes
 * (a private "d" or "dp" in a pkcs8 or JWK made so) would hold the worker
 * for minutes in one signature, which nothing can stop.
 */
bool
RsaBounded(EVP_PKEY *pkey)
{
    static const char *const  params[] = {
        OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
        OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
    };
    int                       bits = EVP_PKEY_get_bits(pkey);
    bool                      ok = bits > 0;

    for (size_t i = 0; ok && i < sizeof(params) / sizeof(params[0]); i++) {
        BIGNUM  *bn = nullptr;

        /* a public key has only "e" */
        if (EVP_PKEY_get_bn_param(pkey, params[i], &bn) == 1) {
            ok = BN_num_bits(bn) <= bits;
        }

        BN_clear_free(bn);
    }

    ERR_clear_error();
    return ok;
}


/* an EC key from its public point (and private scalar) */
EVP_PKEY *
EcFromParts(const std::string &curve, const uint8_t *point, size_t n,
    const Bytes *d)
{
    OSSL_PARAM_BLD  *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM      *ps = nullptr;
    BIGNUM          *bn = nullptr;
    EVP_PKEY        *pkey = nullptr;
    bool             ok;

    ok = bld != nullptr
         && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                            curve.c_str(), 0) == 1
         && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                             point, n) == 1;

    if (ok && d != nullptr) {
        bn = Bn(*d);
        ok = bn != nullptr
             && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn) == 1;
    }

    if (ok && (ps = OSSL_PARAM_BLD_to_param(bld)) != nullptr) {
        pkey = FromData("EC", d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, ps);
    }

    OSSL_PARAM_free(ps);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(bn);

    return pkey;
}


/*
 * One of OpenSSL's checks of a key: EVP_PKEY_pairwise_check (the private
 * half matches the public one) or EVP_PKEY_public_check_quick (an EC point
 * on its curve, not the point at infinity).
 */
bool
KeyCheck(EVP_PKEY *pkey, int (*check)(EVP_PKEY_CTX *ctx))
{
    EVP_PKEY_CTX  *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
    bool           ok = ctx != nullptr && check(ctx) == 1;

    EVP_PKEY_CTX_free(ctx);
    return ok;
}


EVP_PKEY *
EcFromJwk(v8::Isolate *isolate, v8::Local<v8::Object> o,
    const std::string &curve, bool *priv)
{
    Bytes                 x, y, d;
    bool                  hx, hy, hd;
    size_t                size;
    std::vector<uint8_t>  point;
    EVP_PKEY             *pkey;

    if (!JwkField(isolate, o, "x", &x, &hx)
        || !JwkField(isolate, o, "y", &y, &hy)
        || !JwkField(isolate, o, "d", &d, &hd))
    {
        return nullptr;
    }

    size = curve == "P-256" ? 32 : curve == "P-384" ? 48 : 66;

    if (!hx || !hy || x.n != size || y.n != size || (hd && d.n != size)) {
        ThrowDom(isolate, "DataError", "the JWK's x, y or d has not the"
                 " size of " + curve);
        return nullptr;
    }

    point.push_back(4);
    point.insert(point.end(), x.p, x.p + x.n);
    point.insert(point.end(), y.p, y.p + y.n);

    *priv = hd;
    pkey = EcFromParts(curve, point.data(), point.size(), hd ? &d : nullptr);

    if (pkey != nullptr && hd && !KeyCheck(pkey, EVP_PKEY_pairwise_check)) {
        EVP_PKEY_free(pkey);
        pkey = nullptr;
    }

    if (pkey == nullptr) {
        ThrowDom(isolate, "DataError", "invalid EC JWK");
    }

    return pkey;
}


EVP_PKEY *
OkpFromJwk(v8::Isolate *isolate, v8::Local<v8::Object> o, int id,
    bool *priv)
{
    Bytes      x, d;
    bool       hx, hd;
    uint8_t    pub[32];
    size_t     len = sizeof(pub);
    EVP_PKEY  *pkey;

    if (!JwkField(isolate, o, "x", &x, &hx)
        || !JwkField(isolate, o, "d", &d, &hd))
    {
        return nullptr;
    }

    if (!hx || x.n != 32 || (hd && d.n != 32)) {
        ThrowDom(isolate, "DataError", "the JWK's x or d is not 32 bytes");
        return nullptr;
    }

    *priv = hd;
    pkey = hd ? EVP_PKEY_new_raw_private_key(id, nullptr, d.p, d.n)
              : EVP_PKEY_new_raw_public_key(id, nullptr, x.p, x.n);

    /* the public key given must be the private key's */
    if (pkey != nullptr && hd
        && (EVP_PKEY_get_raw_public_key(pkey, pub, &len) != 1 || len != 32
            || CRYPTO_memcmp(pub, x.p, 32) != 0))
    {
        EVP_PKEY_free(pkey);
        pkey = nullptr;
    }

    if (pkey == nullptr) {
        ThrowDom(isolate, "DataError", "invalid OKP JWK");
    }

    return pkey;
}


/* ---- signatures ---------------------------------------------------------- */

/* RSA and ECDSA signatures through EVP_DigestSign/Verify, fed in slices */
EVP_MD_CTX *
DigestSignCtx(v8::Isolate *isolate, EVP_PKEY *pkey, const EVP_MD *md,
    bool pss, uint64_t salt, bool sign)
{
    EVP_MD_CTX    *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX  *pctx = nullptr;
    int            rc;

    if (mctx == nullptr) {
        Operation(isolate, "out of memory");
        return nullptr;
    }

    rc = sign ? EVP_DigestSignInit(mctx, &pctx, md, nullptr, pkey)
              : EVP_DigestVerifyInit(mctx, &pctx, md, nullptr, pkey);

    if (rc == 1 && pss) {
        rc = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
             && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1
             && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int) salt) == 1;
    }

    if (rc != 1) {
        EVP_MD_CTX_free(mctx);
        Operation(isolate, "cannot use the key");
        return nullptr;
    }

    return mctx;
}


bool
DigestFeed(v8::Isolate *isolate, EVP_MD_CTX *mctx, const Bytes &data,
    bool sign)
{
    for (size_t off = 0; off < data.n; off += slice) {
        size_t  n = std::min(slice, data.n - off);

        if (off && Stopped(isolate)) {
            return false;
        }

        if ((sign ? EVP_DigestSignUpdate(mctx, data.p + off, n)
                  : EVP_DigestVerifyUpdate(mctx, data.p + off, n)) != 1)
        {
            Operation(isolate, "cannot hash the data");
            return false;
        }
    }

    return true;
}


/* the HMAC of data under key k (a keyed context kept with the key) */
bool
Hmac(v8::Isolate *isolate, Key *k, const EVP_MD *md, const Bytes &data,
    uint8_t *out, size_t *len)
{
    if (k->hmac == nullptr || k->hmac_md != md) {
        EVP_MAC_CTX_free(k->hmac);
        k->hmac = HmacNew(md, static_cast<uint8_t *>(k->secret->Data()),
                          k->secret->ByteLength());
        k->hmac_md = md;

    } else if (EVP_MAC_init(k->hmac, nullptr, 0, nullptr) != 1) {
        EVP_MAC_CTX_free(k->hmac);
        k->hmac = nullptr;
    }

    if (k->hmac == nullptr) {
        Operation(isolate, "cannot use the HMAC key");
        return false;
    }

    for (size_t off = 0; off < data.n; off += slice) {
        if (off && Stopped(isolate)) {
            return false;
        }

        if (EVP_MAC_update(k->hmac, data.p + off,
                           std::min(slice, data.n - off)) != 1)
        {
            Operation(isolate, "HMAC failed");
            return false;
        }
    }

    if (EVP_MAC_final(k->hmac, out, len, EVP_MAX_MD_SIZE) != 1) {
        Operation(isolate, "HMAC failed");
        return false;
    }

    return true;
}


/* ECDSA: OpenSSL's DER signature to WebCrypto's r || s, each "size" bytes */
bool
EcdsaRaw(const uint8_t *der, size_t n, size_t size, uint8_t *out)
{
    const unsigned char  *p = der;
    ECDSA_SIG            *sig = d2i_ECDSA_SIG(nullptr, &p, (long) n);
    bool                  ok;

    if (sig == nullptr) {
        return false;
    }

    ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, (int) size) >= 0
         && BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + size, (int) size) >= 0;

    ECDSA_SIG_free(sig);
    return ok;
}


/* and back: r || s to DER, or empty */
std::vector<uint8_t>
EcdsaDer(const uint8_t *raw, size_t size)
{
    ECDSA_SIG             *sig = ECDSA_SIG_new();
    BIGNUM                *r = BN_bin2bn(raw, (int) size, nullptr);
    BIGNUM                *s = BN_bin2bn(raw + size, (int) size, nullptr);
    unsigned char         *der = nullptr;
    int                    n = -1;
    std::vector<uint8_t>   out;

    if (sig != nullptr && r != nullptr && s != nullptr
        && ECDSA_SIG_set0(sig, r, s) == 1)
    {
        r = s = nullptr;        /* the signature owns them */
        n = i2d_ECDSA_SIG(sig, &der);
    }

    if (n > 0) {
        out.assign(der, der + n);
    }

    OPENSSL_free(der);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);

    return out;
}


/* ---- ciphers ------------------------------------------------------------- */

bool
CipherFeed(v8::Isolate *isolate, EVP_CIPHER_CTX *ctx, const uint8_t *in,
    size_t n, uint8_t *out, size_t *written)
{
    for (size_t off = 0; off < n; off += slice) {
        int  len;

        if (off && Stopped(isolate)) {
            return false;
        }

        if (EVP_CipherUpdate(ctx, out + *written, &len, in + off,
                             (int) std::min(slice, n - off)) != 1)
        {
            Operation(isolate, "the cipher failed");
            return false;
        }

        *written += len;
    }

    return true;
}


v8::Local<v8::Value>
AesCbc(v8::Isolate *isolate, EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher,
    const uint8_t *key, bool enc, const Bytes &data, const Bytes &iv)
{
    v8::Local<v8::ArrayBuffer>  ab;
    size_t                      n = data.n, out_len, written = 0, pad = 0;
    int                         len;

    if (iv.n != 16) {
        Operation(isolate, "AES-CBC needs an iv of 16 bytes");
        return v8::Local<v8::Value>();
    }

    if (enc) {
        out_len = n + 16 - n % 16;

    } else {
        uint8_t  last[32];

        if (n == 0 || n % 16) {
            Operation(isolate, "AES-CBC data must be whole blocks");
            return v8::Local<v8::Value>();
        }

        /*
         * The padding's length, from the last block alone (decrypted with
         * the block before it as iv), so that the result is allocated at
         * its exact size.
         */
        if (EVP_CipherInit_ex(ctx, cipher, nullptr, key,
                              n == 16 ? iv.p : data.p + n - 32, 0) != 1
            || EVP_CipherUpdate(ctx, last, &len, data.p + n - 16, 16) != 1
            || EVP_CipherFinal_ex(ctx, last + len, &len) != 1)
        {
            Operation(isolate, "AES-CBC decryption failed (bad padding)");
            return v8::Local<v8::Value>();
        }

        pad = 16 - len;
        out_len = n - pad;
    }

    if (!NewOut(isolate, out_len, &ab)) {
        return v8::Local<v8::Value>();
    }

    if (EVP_CipherInit_ex(ctx, cipher, nullptr, key, iv.p, enc) != 1) {
        Operation(isolate, "AES-CBC failed");
        return v8::Local<v8::Value>();
    }

    if (enc) {
        if (!CipherFeed(isolate, ctx, data.p, n, Data(ab), &written)
            || EVP_CipherFinal_ex(ctx, Data(ab) + written, &len) != 1)
        {
            Operation(isolate, "AES-CBC encryption failed");
            return v8::Local<v8::Value>();
        }

        return ab;
    }

    /* all blocks but the last, then the last one's plaintext, unpadded */
    uint8_t  tail[32];

    if (!CipherFeed(isolate, ctx, data.p, n - 16, Data(ab), &written)) {
        return v8::Local<v8::Value>();
    }

    if (EVP_CipherUpdate(ctx, tail, &len, data.p + n - 16, 16) != 1) {
        Operation(isolate, "AES-CBC decryption failed");
        return v8::Local<v8::Value>();
    }

    /* with padding on, that update gives the block held back before */
    if (len) {
        memcpy(Data(ab) + written, tail, len);
        written += len;
    }

    if (EVP_CipherFinal_ex(ctx, tail, &len) != 1
        || written + len != out_len)
    {
        Operation(isolate, "AES-CBC decryption failed (bad padding)");
        return v8::Local<v8::Value>();
    }

    if (len) {
        memcpy(Data(ab) + written, tail, len);
    }

    return ab;
}


v8::Local<v8::Value>
AesCtr(v8::Isolate *isolate, EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher,
    const uint8_t *key, const Bytes &data, const Bytes &counter,
    uint64_t bits)
{
    v8::Local<v8::ArrayBuffer>  ab;
    unsigned __int128           ctr = 0, mask, room;
    uint64_t                    blocks = data.n / 16 + (data.n % 16 != 0);
    uint8_t                     iv[16];
    size_t                      first = data.n, written = 0;

    if (counter.n != 16 || bits < 1 || bits > 128) {
        Operation(isolate, "AES-CTR needs a counter of 16 bytes and a length"
                  " of 1 to 128");
        return v8::Local<v8::Value>();
    }

    for (size_t i = 0; i < 16; i++) {
        ctr = (ctr << 8) | counter.p[i];
    }

    /*
     * The rightmost "bits" bits count blocks and wrap around without
     * carrying into the rest; OpenSSL carries, so past the wrap the rest
     * goes with those bits at zero.
     */
    if (bits < 128) {
        mask = ((unsigned __int128) 1 << bits) - 1;
        room = mask - (ctr & mask) + 1;

        if ((unsigned __int128) blocks > mask + 1) {
            Operation(isolate, "AES-CTR: the counter would repeat");
            return v8::Local<v8::Value>();
        }

        if ((unsigned __int128) blocks > room) {
            first = (size_t) room * 16;
        }

    } else {
        mask = ~(unsigned __int128) 0;
    }

    if (!NewOut(isolate, data.n, &ab)) {
        return v8::Local<v8::Value>();
    }

    if (EVP_CipherInit_ex(ctx, cipher, nullptr, key, counter.p, 1) != 1
        || !CipherFeed(isolate, ctx, data.p, first, Data(ab), &written))
    {
        Operation(isolate, "AES-CTR failed");
        return v8::Local<v8::Value>();
    }

    if (first < data.n) {
        ctr &= ~mask;

        for (int i = 15; i >= 0; i--) {
            iv[i] = (uint8_t) ctr;
            ctr >>= 8;
        }

        if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, iv, 1) != 1
            || !CipherFeed(isolate, ctx, data.p + first, data.n - first,
                           Data(ab), &written))
        {
            Operation(isolate, "AES-CTR failed");
            return v8::Local<v8::Value>();
        }
    }

    return ab;
}


v8::Local<v8::Value>
AesGcm(v8::Isolate *isolate, EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher,
    const uint8_t *key, bool enc, const Bytes &data, const Bytes &iv,
    const Bytes &aad, uint64_t tag_bits)
{
    v8::Local<v8::ArrayBuffer>  ab;
    size_t                      tag = tag_bits / 8, n = data.n, written = 0;
    int                         len;

    if (tag_bits % 8 || tag < 4 || tag > 16 || iv.n == 0 || iv.n > 1024) {
        Operation(isolate, "AES-GCM: bad iv or tag length");
        return v8::Local<v8::Value>();
    }

    if (!enc) {
        if (n < tag) {
            Operation(isolate, "AES-GCM: the data is shorter than the tag");
            return v8::Local<v8::Value>();
        }

        n -= tag;
    }

    if (EVP_CipherInit_ex(ctx, cipher, nullptr, nullptr, nullptr, enc) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int) iv.n,
                               nullptr) != 1
        || EVP_CipherInit_ex(ctx, nullptr, nullptr, key, iv.p, enc) != 1
        || (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, (int) tag,
                        const_cast<uint8_t *>(data.p + n)) != 1))
    {
        Operation(isolate, "AES-GCM failed");
        return v8::Local<v8::Value>();
    }

    for (size_t off = 0; off < aad.n; off += slice) {
        if (EVP_CipherUpdate(ctx, nullptr, &len, aad.p + off,
                             (int) std::min(slice, aad.n - off)) != 1)
        {
            Operation(isolate, "AES-GCM failed");
            return v8::Local<v8::Value>();
        }
    }

    if (!NewOut(isolate, enc ? n + tag : n, &ab)
        || !CipherFeed(isolate, ctx, data.p, n, Data(ab), &written))
    {
        return v8::Local<v8::Value>();
    }

    if (EVP_CipherFinal_ex(ctx, Data(ab) + written, &len) != 1) {
        Operation(isolate, enc ? "AES-GCM encryption failed"
                               : "AES-GCM: the data or its tag is wrong");
        return v8::Local<v8::Value>();
    }

    if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, (int) tag,
                                   Data(ab) + n) != 1)
    {
        Operation(isolate, "AES-GCM failed");
        return v8::Local<v8::Value>();
    }

    return ab;
}


v8::Local<v8::Value>
AesKw(v8::Isolate *isolate, EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher,
    const uint8_t *key, bool enc, const Bytes &data)
{
    v8::Local<v8::ArrayBuffer>  ab;
    size_t                      written = 0;
    int                         len;

    if (data.n % 8 || data.n < (enc ? 16u : 24u)) {
        Operation(isolate, "AES-KW: the data must be 8-byte blocks, at least"
                  " two");
        return v8::Local<v8::Value>();
    }

    EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);

    if (!NewOut(isolate, enc ? data.n + 8 : data.n - 8, &ab)) {
        return v8::Local<v8::Value>();
    }

    if (EVP_CipherInit_ex(ctx, cipher, nullptr, key, nullptr, enc) != 1
        || EVP_CipherUpdate(ctx, Data(ab), &len, data.p, (int) data.n) != 1
        || (written = len, EVP_CipherFinal_ex(ctx, Data(ab) + written, &len))
           != 1)
    {
        Operation(isolate, enc ? "AES-KW failed"
                               : "AES-KW: the data is not a wrapped key");
        return v8::Local<v8::Value>();
    }

    return ab;
}


v8::Local<v8::Value>
RsaOaep(v8::Isolate *isolate, Key *k, bool enc, const EVP_MD *md,
    const Bytes &data, const Bytes &label, bool has_label)
{
    EVP_PKEY_CTX          *ctx;
    std::vector<uint8_t>   out;
    size_t                 len = 0;
    bool                   ok;
    void                  *l = nullptr;

    if (!KeyIs(isolate, k, enc ? KEY_PUBLIC : KEY_PRIVATE, EVP_PKEY_RSA)) {
        return v8::Local<v8::Value>();
    }

    ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, k->pkey, nullptr);

    ok = ctx != nullptr
         && (enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx))
            == 1
         && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1
         && EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1
         && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1;

    if (ok && has_label && label.n) {
        /* OpenSSL takes the label's memory on success */
        l = OPENSSL_memdup(label.p, label.n);
        ok = l != nullptr
             && EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, l, (int) label.n) > 0;
        if (!ok) {
            OPENSSL_free(l);
        }
    }

    ok = ok
         && (enc ? EVP_PKEY_encrypt(ctx, nullptr, &len, data.p, data.n)
                 : EVP_PKEY_decrypt(ctx, nullptr, &len, data.p, data.n)) == 1;

    if (ok) {
        out.resize(len);
        ok = (enc ? EVP_PKEY_encrypt(ctx, out.data(), &len, data.p, data.n)
                  : EVP_PKEY_decrypt(ctx, out.data(), &len, data.p, data.n))
             == 1;
    }

    EVP_PKEY_CTX_free(ctx);

    if (!ok) {
        Operation(isolate, enc ? "RSA-OAEP encryption failed"
                               : "RSA-OAEP decryption failed");
        return v8::Local<v8::Value>();
    }

    return Out(isolate, out.data(), len);
}


/* ---- key derivation ------------------------------------------------------ */

/*
 * PBKDF2 (RFC 8018) over OpenSSL's HMAC, written out rather than through
 * PKCS5_PBKDF2_HMAC so that the watchdog can stop a count of iterations
 * that a function chose too large, as it stops a loop in JS.
 */
bool
Pbkdf2(v8::Isolate *isolate, const EVP_MD *md, const Bytes &pass,
    const Bytes &salt, uint64_t iterations, uint8_t *out, size_t len)
{
    EVP_MAC_CTX  *ctx = HmacNew(md, pass.p, pass.n);
    size_t        hlen = EVP_MD_get_size(md), ulen;
    uint8_t       u[EVP_MAX_MD_SIZE], t[EVP_MAX_MD_SIZE], be[4];
    bool          ok = ctx != nullptr;

    for (uint32_t block = 1; ok && len; block++) {
        be[0] = block >> 24; be[1] = block >> 16;
        be[2] = block >> 8;  be[3] = block;

        ok = EVP_MAC_update(ctx, salt.p, salt.n) == 1
             && EVP_MAC_update(ctx, be, 4) == 1
             && EVP_MAC_final(ctx, u, &ulen, sizeof(u)) == 1;

        memcpy(t, u, hlen);

        for (uint64_t i = 1; ok && i < iterations; i++) {
            if ((i & 4095) == 0 && WatchdogFired()) {
                ok = false;
                break;
            }

            ok = EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1
                 && EVP_MAC_update(ctx, u, hlen) == 1
                 && EVP_MAC_final(ctx, u, &ulen, sizeof(u)) == 1;

            for (size_t j = 0; j < hlen; j++) {
                t[j] ^= u[j];
            }
        }

        size_t  n = std::min(len, hlen);

        memcpy(out, t, n);
        out += n;
        len -= n;

        ok = ok && (len == 0 || EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1);
    }

    OPENSSL_cleanse(u, sizeof(u));
    OPENSSL_cleanse(t, sizeof(t));
    EVP_MAC_CTX_free(ctx);

    if (!ok) {
        Operation(isolate, WatchdogFired() ? "stopped at the CPU time limit"
                                           : "PBKDF2 failed");
    }

    return ok;
}


bool
Hkdf(v8::Isolate *isolate, const EVP_MD *md, const Bytes &key,
    const Bytes &salt, const Bytes &info, uint8_t *out, size_t len)
{
    static EVP_KDF  *kdf;
    EVP_KDF_CTX     *ctx;
    OSSL_PARAM       params[5];
    bool             ok;

    if (kdf == nullptr) {
        kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    }

    ctx = kdf ? EVP_KDF_CTX_new(kdf) : nullptr;

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                    const_cast<char *>(EVP_MD_get0_name(md)), 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                    const_cast<uint8_t *>(key.p), key.n);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                    const_cast<uint8_t *>(salt.p), salt.n);
    params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                    const_cast<uint8_t *>(info.p), info.n);
    params[4] = OSSL_PARAM_construct_end();

    ok = ctx != nullptr && EVP_KDF_derive(ctx, out, len, params) == 1;
    EVP_KDF_CTX_free(ctx);

    if (!ok) {
        Operation(isolate, "HKDF failed");
    }

    return ok;
}


int
KeygenCallback(EVP_PKEY_CTX *ctx)
{
    /* 0 stops a generation the watchdog has given up on */
    return WatchdogFired() ? 0 : 1;
}


}  /* namespace */


/* ---- the natives ---------------------------------------------------------- */

/* cryptoRandom(view): fills an ArrayBufferView of at most 65536 bytes */
void
NativeCryptoRandom(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    Bytes         b;

    if (!args[0]->IsArrayBufferView() || !GetBytes(args[0], &b)) {
        ThrowType(isolate, "cryptoRandom: expected an ArrayBufferView");
        return;
    }

    if (b.n > 65536) {
        ThrowDom(isolate, "QuotaExceededError", "more than 65536 bytes");
        return;
    }

    if (b.n && RAND_bytes(const_cast<uint8_t *>(b.p), (int) b.n) != 1) {
        Operation(isolate, "no random bytes");
    }
}


/* cryptoCopy(bufferSource): a Uint8Array copy of its bytes */
void
NativeCryptoCopy(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate           *isolate = args.GetIsolate();
    Bytes                  b;
    v8::Local<v8::Value>   v;

    if (!GetBytes(args[0], &b)) {
        ThrowType(isolate, "The provided value is not of type"
                  " '(ArrayBuffer or ArrayBufferView)'");
        return;
    }

    v = Out(isolate, b.p, b.n, true);

    if (!v.IsEmpty()) {
        args.GetReturnValue().Set(v);
    }
}


/* cryptoDigest(hash, data): ArrayBuffer */
void
NativeCryptoDigest(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                 *isolate = args.GetIsolate();
    const EVP_MD                *md = Md(isolate, args[0]);
    Bytes                        data;
    EVP_MD_CTX                  *ctx;
    v8::Local<v8::ArrayBuffer>   ab;
    bool                         ok;

    if (md == nullptr) {
        return;
    }

    if (!GetBytes(args[1], &data)) {
        ThrowType(isolate, "cryptoDigest: expected bytes");
        return;
    }

    ctx = EVP_MD_CTX_new();
    ok = ctx != nullptr && EVP_DigestInit_ex(ctx, md, nullptr) == 1;

    for (size_t off = 0; ok && off < data.n; off += slice) {
        if (off && Stopped(isolate)) {
            EVP_MD_CTX_free(ctx);
            return;
        }

        ok = EVP_DigestUpdate(ctx, data.p + off,
                              std::min(slice, data.n - off)) == 1;
    }

    if (!ok) {
        EVP_MD_CTX_free(ctx);
        Operation(isolate, "digest failed");
        return;
    }

    if (NewOut(isolate, EVP_MD_get_size(md), &ab)) {
        if (EVP_DigestFinal_ex(ctx, Data(ab), nullptr) == 1) {
            args.GetReturnValue().Set(ab);

        } else {
            Operation(isolate, "digest failed");
        }
    }

    EVP_MD_CTX_free(ctx);
}


/* cryptoEqual(a, b): constant-time comparison of two equally long inputs */
void
NativeCryptoEqual(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    Bytes         a, b;

    if (!GetBytes(args[0], &a) || !GetBytes(args[1], &b)) {
        ThrowType(isolate, "timingSafeEqual: expected ArrayBuffers or views");
        return;
    }

    if (a.n != b.n) {
        ThrowType(isolate, "Input buffers must have the same byte length");
        return;
    }

    args.GetReturnValue().Set(a.n == 0 || CRYPTO_memcmp(a.p, b.p, a.n) == 0);
}


/*
 * cryptoSecret(bytes | length, extractable, usages): a secret key of those
 * bytes, or of "length" random bytes
 */
void
NativeCryptoSecret(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                 *isolate = args.GetIsolate();
    Bytes                        b;
    uint64_t                     len = 0;
    uint32_t                     usages;
    v8::Local<v8::ArrayBuffer>   ab;
    Key                         *k;

    if ((!GetBytes(args[0], &b) && !GetUint(args[0], 1u << 29, &len))
        || !args[1]->IsBoolean() || !GetUsages(args[2], &usages))
    {
        ThrowType(isolate, "cryptoSecret: bad arguments");
        return;
    }

    if (b.keep) {
        len = b.n;
    }

    if (!NewOut(isolate, len, &ab)) {
        return;
    }

    if (b.keep) {
        if (len) {
            memcpy(Data(ab), b.p, len);
        }

    } else if (RAND_bytes(Data(ab), (int) len) != 1) {
        Operation(isolate, "no random bytes");
        return;
    }

    k = new Key();
    k->type = KEY_SECRET;
    k->extractable = args[1]->IsTrue();
    k->usages = usages;
    k->secret = ab->GetBackingStore();

    args.GetReturnValue().Set(Wrap(isolate, k));
}


/*
 * cryptoGenerate(kind, param, exponent, extractable, usages, publicUsages):
 * [publicKey, privateKey] of kind "RSA" (param: modulus bits, exponent:
 * bytes), "EC" (param: "P-256", "P-384" or "P-521"), "Ed25519" or "X25519"
 */
void
NativeCryptoGenerate(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate             *isolate = args.GetIsolate();
    std::string              kind, curve;
    uint32_t                 usages, pub_usages;
    EVP_PKEY                *pkey = nullptr, *pub;
    v8::Local<v8::Value>     pair[2];

    if (!GetString(isolate, args[0], &kind) || !args[3]->IsBoolean()
        || !GetUsages(args[4], &usages) || !GetUsages(args[5], &pub_usages))
    {
        ThrowType(isolate, "cryptoGenerate: bad arguments");
        return;
    }

    if (kind == "RSA") {
        uint64_t       bits;
        Bytes          e;
        BIGNUM        *bn;
        EVP_PKEY_CTX  *pctx;

        if (!GetUint(args[1], rsa_gen_max, &bits) || bits < rsa_gen_min
            || bits % 8 || !GetBytes(args[2], &e) || e.n > 8)
        {
            Operation(isolate, "RSA keys are made of 1024 to 4096 bits");
            return;
        }

        bn = BN_bin2bn(e.p, (int) e.n, nullptr);

        /* an even exponent would have OpenSSL look for primes forever */
        if (bn == nullptr || !BN_is_odd(bn) || BN_num_bits(bn) < 2
            || BN_num_bits(bn) > 32)
        {
            BN_free(bn);
            Operation(isolate, "the RSA public exponent must be odd, from 3"
                      " to 2^32 - 1");
            return;
        }

        pctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);

        if (pctx != nullptr && EVP_PKEY_keygen_init(pctx) == 1
            && EVP_PKEY_CTX_set_rsa_keygen_bits(pctx, (int) bits) == 1
            && EVP_PKEY_CTX_set1_rsa_keygen_pubexp(pctx, bn) == 1)
        {
            EVP_PKEY_CTX_set_cb(pctx, KeygenCallback);
            EVP_PKEY_generate(pctx, &pkey);
        }

        EVP_PKEY_CTX_free(pctx);
        BN_free(bn);

    } else if (kind == "EC") {
        if (!GetString(isolate, args[1], &curve)
            || KeyId(curve) != EVP_PKEY_EC)
        {
            ThrowDom(isolate, "NotSupportedError", "unknown curve");
            return;
        }

        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve.c_str());

    } else if (kind == "Ed25519" || kind == "X25519") {
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr,
                                 kind == "Ed25519" ? "ED25519" : "X25519");

    } else {
        ThrowType(isolate, "cryptoGenerate: unknown kind");
        return;
    }

    if (pkey == nullptr) {
        Operation(isolate, WatchdogFired() ? "stopped at the CPU time limit"
                                           : "key generation failed");
        return;
    }

    pub = PublicOnly(pkey);

    if (pub == nullptr) {
        EVP_PKEY_free(pkey);
        Operation(isolate, "key generation failed");
        return;
    }

    pair[0] = WrapPkey(isolate, pub, KEY_PUBLIC, true, pub_usages);
    pair[1] = WrapPkey(isolate, pkey, KEY_PRIVATE, args[3]->IsTrue(), usages);
    args.GetReturnValue().Set(v8::Array::New(isolate, pair, 2));
}


/*
 * cryptoImport(kind, format, data, extractable, usages): [key, type, bits,
 * publicExponent] for kind "RSA", "P-256", "P-384", "P-521", "Ed25519" or
 * "X25519"; format "raw", "spki", "pkcs8" (data: bytes) or "jwk" (data: an
 * object of the key's members as bytes)
 */
void
NativeCryptoImport(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    std::string   kind, format;
    uint32_t      usages;
    int           id;
    Bytes         data;
    EVP_PKEY     *pkey = nullptr;
    bool          priv = false;

    if (!GetString(isolate, args[0], &kind) || (id = KeyId(kind)) == 0
        || !GetString(isolate, args[1], &format) || !args[3]->IsBoolean()
        || !GetUsages(args[4], &usages)
        || (format == "jwk" ? !args[2]->IsObject() : !GetBytes(args[2], &data)))
    {
        ThrowType(isolate, "cryptoImport: bad arguments");
        return;
    }

    if (format == "spki" || format == "pkcs8") {
        const unsigned char  *p = data.p;

        if (format == "spki") {
            pkey = d2i_PUBKEY(nullptr, &p, (long) data.n);

        } else {
            PKCS8_PRIV_KEY_INFO  *p8;

            p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, (long) data.n);
            if (p8 != nullptr && p == data.p + data.n) {
                pkey = EVP_PKCS82PKEY(p8);
            }

            PKCS8_PRIV_KEY_INFO_free(p8);
            priv = true;
        }

        if (pkey != nullptr
            && (p != data.p + data.n || EVP_PKEY_get_base_id(pkey) != id
                || (id == EVP_PKEY_EC && EcCurve(pkey) != kind)))
        {
            EVP_PKEY_free(pkey);
            pkey = nullptr;
        }

        if (pkey == nullptr) {
            ThrowDom(isolate, "DataError", "the key data is not a " + kind
                     + " " + format + " key");
            return;
        }

    } else if (format == "raw") {
        if (id == EVP_PKEY_EC) {
            size_t  size = kind == "P-256" ? 32 : kind == "P-384" ? 48 : 66;

            if ((data.n == 1 + 2 * size && data.p[0] == 4)
                || (data.n == 1 + size && (data.p[0] == 2 || data.p[0] == 3)))
            {
                pkey = EcFromParts(kind, data.p, data.n, nullptr);
            }

        } else if (id != EVP_PKEY_RSA && data.n == 32) {
            pkey = EVP_PKEY_new_raw_public_key(id, nullptr, data.p, 32);
        }

        if (pkey == nullptr) {
            ThrowDom(isolate, "DataError", "the key data is not a raw "
                     + kind + " public key");
            return;
        }

    } else if (format == "jwk") {
        v8::Local<v8::Object>  o = args[2].As<v8::Object>();

        pkey = id == EVP_PKEY_RSA ? RsaFromJwk(isolate, o, &priv)
               : id == EVP_PKEY_EC ? EcFromJwk(isolate, o, kind, &priv)
               : OkpFromJwk(isolate, o, id, &priv);

        if (pkey == nullptr) {
            return;
        }

    } else {
        ThrowDom(isolate, "NotSupportedError", "unknown key format");
        return;
    }

    if (id == EVP_PKEY_RSA && EVP_PKEY_get_bits(pkey) > rsa_max) {
        EVP_PKEY_free(pkey);
        ThrowDom(isolate, "NotSupportedError", "RSA keys of more than 8192"
                 " bits are not supported");
        return;
    }

    if (id == EVP_PKEY_RSA && !RsaBounded(pkey)) {
        EVP_PKEY_free(pkey);
        ThrowDom(isolate, "DataError", "invalid RSA key: a part is longer"
                 " than the modulus");
        return;
    }

    /* a point given by its coordinates is not checked on the way in */
    if (id == EVP_PKEY_EC && !KeyCheck(pkey, EVP_PKEY_public_check_quick)) {
        EVP_PKEY_free(pkey);
        ThrowDom(isolate, "DataError", "the key's point is not on " + kind);
        return;
    }

    if (id == EVP_PKEY_EC) {
        EVP_PKEY_set_utf8_string_param(pkey,
            OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "uncompressed");
    }

    v8::Local<v8::Value>  out[4];
    int                   n = 2;

    out[1] = v8::String::NewFromUtf8(isolate, priv ? "private" : "public")
                 .ToLocalChecked();

    if (id == EVP_PKEY_RSA) {
        BIGNUM  *e = nullptr;

        out[2] = v8::Number::New(isolate, EVP_PKEY_get_bits(pkey));

        if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1
            || BN_num_bytes(e) > 512)
        {
            BN_free(e);
            EVP_PKEY_free(pkey);
            ThrowDom(isolate, "DataError", "the RSA key has no exponent");
            return;
        }

        std::vector<uint8_t>  eb(BN_num_bytes(e));

        BN_bn2bin(e, eb.data());
        BN_free(e);

        out[3] = Out(isolate, eb.data(), eb.size(), true);
        if (out[3].IsEmpty()) {
            EVP_PKEY_free(pkey);
            return;
        }

        n = 4;
    }

    out[0] = WrapPkey(isolate, pkey, priv ? KEY_PRIVATE : KEY_PUBLIC,
                      args[3]->IsTrue(), usages);

    args.GetReturnValue().Set(v8::Array::New(isolate, out, n));
}


/*
 * cryptoExport(key, format): an ArrayBuffer ("raw", "spki", "pkcs8") or an
 * object of the key's members as Uint8Arrays ("jwk")
 */
void
NativeCryptoExport(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate             *isolate = args.GetIsolate();
    v8::Local<v8::Context>   ctx = isolate->GetCurrentContext();
    Key                     *k = GetKey(isolate, args[0]);
    std::string              format;
    int                      id;

    if (k == nullptr || !GetString(isolate, args[1], &format)) {
        ThrowType(isolate, "cryptoExport: bad arguments");
        return;
    }

    /* the check that keeps a non-extractable key's material in C++ */
    if (!k->extractable) {
        ThrowDom(isolate, "InvalidAccessError", "the key is not extractable");
        return;
    }

    id = k->pkey ? EVP_PKEY_get_base_id(k->pkey) : 0;

    if (format == "raw" && k->type == KEY_SECRET) {
        v8::Local<v8::Value>  v = Out(isolate,
            static_cast<uint8_t *>(k->secret->Data()),
            k->secret->ByteLength());

        if (!v.IsEmpty()) {
            args.GetReturnValue().Set(v);
        }

        return;
    }

    if (format == "raw" && k->type == KEY_PUBLIC && id != EVP_PKEY_RSA) {
        uint8_t  buf[1 + 2 * 66];
        size_t   len = 0;
        int      rc;

        rc = id == EVP_PKEY_EC
             ? EVP_PKEY_get_octet_string_param(k->pkey,
                   OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, buf, sizeof(buf), &len)
             : (len = sizeof(buf),
                EVP_PKEY_get_raw_public_key(k->pkey, buf, &len));

        if (rc != 1) {
            Operation(isolate, "cannot export the key");
            return;
        }

        v8::Local<v8::Value>  v = Out(isolate, buf, len);

        if (!v.IsEmpty()) {
            args.GetReturnValue().Set(v);
        }

        return;
    }

    if ((format == "spki" && k->type == KEY_PUBLIC)
        || (format == "pkcs8" && k->type == KEY_PRIVATE))
    {
        unsigned char        *der = nullptr;
        int                   n = -1;
        PKCS8_PRIV_KEY_INFO  *p8;

        if (format == "spki") {
            n = i2d_PUBKEY(k->pkey, &der);

        } else if ((p8 = EVP_PKEY2PKCS8(k->pkey)) != nullptr) {
            n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
            PKCS8_PRIV_KEY_INFO_free(p8);
        }

        if (n <= 0) {
            Operation(isolate, "cannot export the key");
            return;
        }

        v8::Local<v8::Value>  v = Out(isolate, der, n);

        OPENSSL_clear_free(der, n);

        if (!v.IsEmpty()) {
            args.GetReturnValue().Set(v);
        }

        return;
    }

    if (format != "jwk") {
        ThrowDom(isolate, "InvalidAccessError", "the key cannot be exported"
                 " as " + format);
        return;
    }

    v8::Local<v8::Object>  o = v8::Object::New(isolate, v8::Null(isolate),
                                               nullptr, nullptr, 0);
    bool                   priv = k->type == KEY_PRIVATE, ok = true;

    if (k->type == KEY_SECRET) {
        v8::Local<v8::Value>  v = Out(isolate,
            static_cast<uint8_t *>(k->secret->Data()),
            k->secret->ByteLength(), true);

        ok = !v.IsEmpty()
             && o->CreateDataProperty(ctx,
                    v8::String::NewFromUtf8Literal(isolate, "k"), v)
                    .FromMaybe(false);

    } else if (id == EVP_PKEY_RSA) {
        static const char *const  names[] = { "n", "e", "d", "p", "q", "dp",
                                              "dq", "qi" };
        static const char *const  params[] = {
            OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
            OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
            OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
            OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
        };

        for (size_t i = 0; ok && i < (priv ? 8u : 2u); i++) {
            ok = ParamOut(isolate, o, k->pkey, params[i], names[i], 0);
        }

    } else if (id == EVP_PKEY_EC) {
        size_t  size = EcSize(k->pkey);

        ok = ParamOut(isolate, o, k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, "x", size)
             && ParamOut(isolate, o, k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, "y",
                         size)
             && (!priv || ParamOut(isolate, o, k->pkey,
                                   OSSL_PKEY_PARAM_PRIV_KEY, "d", size));

    } else {
        uint8_t  raw[32];
        size_t   len = sizeof(raw);

        for (int i = 0; ok && i < (priv ? 2 : 1); i++) {
            v8::Local<v8::Value>  v;

            len = sizeof(raw);
            ok = (i == 0 ? EVP_PKEY_get_raw_public_key(k->pkey, raw, &len)
                         : EVP_PKEY_get_raw_private_key(k->pkey, raw, &len))
                 == 1;

            if (!ok) {
                Operation(isolate, "cannot export the key");
                break;
            }

            v = Out(isolate, raw, len, true);
            ok = !v.IsEmpty()
                 && o->CreateDataProperty(ctx,
                        v8::String::NewFromUtf8(isolate, i ? "d" : "x")
                            .ToLocalChecked(), v).FromMaybe(false);
        }

        OPENSSL_cleanse(raw, sizeof(raw));
    }

    if (ok) {
        args.GetReturnValue().Set(o);
    }
}


/*
 * cryptoSign(alg, key, hash, saltLength, data): ArrayBuffer, for "HMAC",
 * "RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA" or "Ed25519"
 */
void
NativeCryptoSign(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate           *isolate = args.GetIsolate();
    std::string            alg;
    Key                   *k;
    const EVP_MD          *md = nullptr;
    uint64_t               salt = 0;
    Bytes                  data;
    std::vector<uint8_t>   sig;
    size_t                 len = 0;
    v8::Local<v8::Value>   v;

    if (!GetString(isolate, args[0], &alg) || !GetBytes(args[4], &data)) {
        ThrowType(isolate, "cryptoSign: bad arguments");
        return;
    }

    if ((k = UseKey(isolate, args[1], USE_SIGN)) == nullptr) {
        return;
    }

    if (alg != "Ed25519" && (md = Md(isolate, args[2])) == nullptr) {
        return;
    }

    if (alg == "HMAC") {
        uint8_t  mac[EVP_MAX_MD_SIZE];

        if (KeyIs(isolate, k, KEY_SECRET, 0)
            && Hmac(isolate, k, md, data, mac, &len))
        {
            v = Out(isolate, mac, len);
        }

    } else if (alg == "Ed25519") {
        EVP_MD_CTX  *mctx;

        if (!KeyIs(isolate, k, KEY_PRIVATE, EVP_PKEY_ED25519)) {
            return;
        }

        sig.resize(64);
        len = 64;
        mctx = EVP_MD_CTX_new();

        if (mctx == nullptr
            || EVP_DigestSignInit(mctx, nullptr, nullptr, nullptr, k->pkey) != 1
            || EVP_DigestSign(mctx, sig.data(), &len, data.p, data.n) != 1)
        {
            EVP_MD_CTX_free(mctx);
            Operation(isolate, "Ed25519 signing failed");
            return;
        }

        EVP_MD_CTX_free(mctx);
        v = Out(isolate, sig.data(), len);

    } else if (alg == "RSASSA-PKCS1-v1_5" || alg == "RSA-PSS"
               || alg == "ECDSA")
    {
        bool         ec = alg == "ECDSA", pss = alg == "RSA-PSS";
        EVP_MD_CTX  *mctx;

        if (pss && !GetUint(args[3], 4294967295.0, &salt)) {
            ThrowType(isolate, "cryptoSign: bad salt length");
            return;
        }

        if (!KeyIs(isolate, k, KEY_PRIVATE, ec ? EVP_PKEY_EC : EVP_PKEY_RSA)) {
            return;
        }

        if (pss && salt > (uint64_t) EVP_PKEY_get_size(k->pkey)) {
            Operation(isolate, "RSA-PSS: the salt is too long for the key");
            return;
        }

        mctx = DigestSignCtx(isolate, k->pkey, md, pss, salt, true);
        if (mctx == nullptr) {
            return;
        }

        if (!DigestFeed(isolate, mctx, data, true)) {
            EVP_MD_CTX_free(mctx);
            return;
        }

        if (EVP_DigestSignFinal(mctx, nullptr, &len) != 1
            || (sig.resize(len), EVP_DigestSignFinal(mctx, sig.data(), &len))
               != 1)
        {
            EVP_MD_CTX_free(mctx);
            Operation(isolate, "signing failed");
            return;
        }

        EVP_MD_CTX_free(mctx);

        if (ec) {
            size_t                size = EcSize(k->pkey);
            std::vector<uint8_t>  raw(2 * size);

            if (!EcdsaRaw(sig.data(), len, size, raw.data())) {
                Operation(isolate, "ECDSA signing failed");
                return;
            }

            v = Out(isolate, raw.data(), raw.size());

        } else {
            v = Out(isolate, sig.data(), len);
        }

    } else {
        ThrowType(isolate, "cryptoSign: unknown algorithm");
        return;
    }

    if (!v.IsEmpty()) {
        args.GetReturnValue().Set(v);
    }
}


/* cryptoVerify(alg, key, hash, saltLength, signature, data): boolean */
void
NativeCryptoVerify(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate   *isolate = args.GetIsolate();
    std::string    alg;
    Key           *k;
    const EVP_MD  *md = nullptr;
    uint64_t       salt = 0;
    Bytes          sig, data;
    bool           ok = false;

    if (!GetString(isolate, args[0], &alg) || !GetBytes(args[4], &sig)
        || !GetBytes(args[5], &data))
    {
        ThrowType(isolate, "cryptoVerify: bad arguments");
        return;
    }

    if ((k = UseKey(isolate, args[1], USE_VERIFY)) == nullptr) {
        return;
    }

    if (alg != "Ed25519" && (md = Md(isolate, args[2])) == nullptr) {
        return;
    }

    if (alg == "HMAC") {
        uint8_t  mac[EVP_MAX_MD_SIZE];
        size_t   len;

        if (!KeyIs(isolate, k, KEY_SECRET, 0)
            || !Hmac(isolate, k, md, data, mac, &len))
        {
            return;
        }

        ok = sig.n == len && CRYPTO_memcmp(mac, sig.p, len) == 0;

    } else if (alg == "Ed25519") {
        EVP_MD_CTX  *mctx;

        if (!KeyIs(isolate, k, KEY_PUBLIC, EVP_PKEY_ED25519)) {
            return;
        }

        mctx = EVP_MD_CTX_new();

        ok = mctx != nullptr && sig.n == 64
             && EVP_DigestVerifyInit(mctx, nullptr, nullptr, nullptr, k->pkey)
                == 1
             && EVP_DigestVerify(mctx, sig.p, sig.n, data.p, data.n) == 1;

        EVP_MD_CTX_free(mctx);

    } else if (alg == "RSASSA-PKCS1-v1_5" || alg == "RSA-PSS"
               || alg == "ECDSA")
    {
        bool                  ec = alg == "ECDSA", pss = alg == "RSA-PSS";
        EVP_MD_CTX           *mctx;
        std::vector<uint8_t>  der;
        const uint8_t        *s = sig.p;
        size_t                sn = sig.n;

        if (pss && !GetUint(args[3], 4294967295.0, &salt)) {
            ThrowType(isolate, "cryptoVerify: bad salt length");
            return;
        }

        if (!KeyIs(isolate, k, KEY_PUBLIC, ec ? EVP_PKEY_EC : EVP_PKEY_RSA)) {
            return;
        }

        if (ec) {
            /* a signature of the wrong size is not valid, not an error */
            size_t  size = EcSize(k->pkey);

            if (sig.n != 2 * size) {
                args.GetReturnValue().Set(false);
                return;
            }

            der = EcdsaDer(sig.p, size);
            s = der.data();
            sn = der.size();
        }

        if (pss && salt > (uint64_t) EVP_PKEY_get_size(k->pkey)) {
            args.GetReturnValue().Set(false);
            return;
        }

        mctx = DigestSignCtx(isolate, k->pkey, md, pss, salt, false);
        if (mctx == nullptr) {
            return;
        }

        if (!DigestFeed(isolate, mctx, data, false)) {
            EVP_MD_CTX_free(mctx);
            return;
        }

        ok = sn > 0 && EVP_DigestVerifyFinal(mctx, s, sn) == 1;
        EVP_MD_CTX_free(mctx);

    } else {
        ThrowType(isolate, "cryptoVerify: unknown algorithm");
        return;
    }

    ERR_clear_error();
    args.GetReturnValue().Set(ok);
}


/*
 * cryptoCipher(alg, usage, key, data, iv, extra, n): ArrayBuffer.
 *   "AES-CBC": iv;  "AES-CTR": iv is the counter, n its length in bits;
 *   "AES-GCM": iv, extra the additional data (or undefined), n the tag's
 *   bits;  "AES-KW";  "RSA-OAEP": iv is the hash, extra the label.
 * "usage" says which of encrypt, decrypt, wrapKey, unwrapKey this is.
 */
void
NativeCryptoCipher(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate           *isolate = args.GetIsolate();
    std::string            alg;
    uint32_t               usage;
    uint64_t               n = 0;
    Key                   *k;
    Bytes                  data, iv, extra;
    bool                   enc, has_extra;
    v8::Local<v8::Value>   v;

    has_extra = !args[5]->IsUndefined();

    if (!GetString(isolate, args[0], &alg) || !GetUsages(args[1], &usage)
        || (usage != USE_ENCRYPT && usage != USE_DECRYPT
            && usage != USE_WRAP && usage != USE_UNWRAP)
        || !GetBytes(args[3], &data)
        || (alg != "AES-KW" && alg != "RSA-OAEP" && !GetBytes(args[4], &iv))
        || (has_extra && !GetBytes(args[5], &extra))
        || (!args[6]->IsUndefined() && !GetUint(args[6], 128, &n)))
    {
        ThrowType(isolate, "cryptoCipher: bad arguments");
        return;
    }

    if ((k = UseKey(isolate, args[2], usage)) == nullptr) {
        return;
    }

    enc = usage == USE_ENCRYPT || usage == USE_WRAP;

    if (alg == "RSA-OAEP") {
        const EVP_MD  *md = Md(isolate, args[4]);

        if (md != nullptr) {
            v = RsaOaep(isolate, k, enc, md, data, extra, has_extra);
        }

    } else {
        const char        *mode;
        const EVP_CIPHER  *cipher;
        EVP_CIPHER_CTX    *ctx;
        const uint8_t     *key;

        mode = alg == "AES-CBC" ? "CBC" : alg == "AES-CTR" ? "CTR"
               : alg == "AES-GCM" ? "GCM" : alg == "AES-KW" ? "WRAP" : nullptr;

        if (mode == nullptr) {
            ThrowType(isolate, "cryptoCipher: unknown algorithm");
            return;
        }

        if (!KeyIs(isolate, k, KEY_SECRET, 0)
            || (cipher = Aes(isolate, mode, k->secret->ByteLength()))
               == nullptr)
        {
            return;
        }

        ctx = EVP_CIPHER_CTX_new();
        if (ctx == nullptr) {
            Operation(isolate, "out of memory");
            return;
        }

        key = static_cast<uint8_t *>(k->secret->Data());

        v = alg == "AES-CBC" ? AesCbc(isolate, ctx, cipher, key, enc, data, iv)
            : alg == "AES-CTR" ? AesCtr(isolate, ctx, cipher, key, data, iv, n)
            : alg == "AES-GCM" ? AesGcm(isolate, ctx, cipher, key, enc, data,
                                        iv, extra, n)
            : AesKw(isolate, ctx, cipher, key, enc, data);

        EVP_CIPHER_CTX_free(ctx);
    }

    if (!v.IsEmpty()) {
        args.GetReturnValue().Set(v);
    }
}


/*
 * cryptoDerive(alg, usage, key, a, b, c, length): ArrayBuffer of "length"
 * bits (null: all the shared secret ECDH gives).
 *   "PBKDF2": a the hash, b the salt, c the iterations;
 *   "HKDF": a the hash, b the salt, c the info;
 *   "ECDH", "X25519": a the peer's public key.
 */
void
NativeCryptoDerive(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                 *isolate = args.GetIsolate();
    std::string                  alg;
    uint32_t                     usage;
    uint64_t                     bits = 0;
    bool                         all = args[6]->IsNull();
    Key                         *k;
    v8::Local<v8::ArrayBuffer>   ab;

    if (!GetString(isolate, args[0], &alg) || !GetUsages(args[1], &usage)
        || (usage != USE_DERIVE_BITS && usage != USE_DERIVE_KEY)
        || (!all && !GetUint(args[6], 4294967295.0, &bits)))
    {
        ThrowType(isolate, "cryptoDerive: bad arguments");
        return;
    }

    if ((k = UseKey(isolate, args[2], usage)) == nullptr) {
        return;
    }

    if (alg == "PBKDF2" || alg == "HKDF") {
        const EVP_MD  *md;
        Bytes          salt, info;
        uint64_t       iterations = 0;
        Bytes          key;
        bool           ok;

        if ((md = Md(isolate, args[3])) == nullptr) {
            return;
        }

        if (!GetBytes(args[4], &salt)
            || (alg == "PBKDF2" ? !GetUint(args[5], 4294967295.0, &iterations)
                                : !GetBytes(args[5], &info)))
        {
            ThrowType(isolate, "cryptoDerive: bad arguments");
            return;
        }

        if (!KeyIs(isolate, k, KEY_SECRET, 0)) {
            return;
        }

        if (all || bits % 8 || (alg == "PBKDF2" && (bits == 0
                                                    || iterations == 0))
            || (alg == "HKDF" && bits > 255 * 8 * (uint64_t) EVP_MD_get_size(md)))
        {
            Operation(isolate, alg + ": bad length or iterations");
            return;
        }

        /* OpenSSL's HKDF takes at most 32 KB of info (HKDF_MAXINFO) */
        if (alg == "HKDF" && info.n > 32768) {
            Operation(isolate, "HKDF: an info of more than 32 KB is not"
                      " supported");
            return;
        }

        if (!NewOut(isolate, bits / 8, &ab)) {
            return;
        }

        key.p = static_cast<uint8_t *>(k->secret->Data());
        key.n = k->secret->ByteLength();

        ok = bits == 0
             || (alg == "PBKDF2"
                 ? Pbkdf2(isolate, md, key, salt, iterations, Data(ab),
                          bits / 8)
                 : Hkdf(isolate, md, key, salt, info, Data(ab), bits / 8));

        if (ok) {
            args.GetReturnValue().Set(ab);
        }

        return;
    }

    if (alg != "ECDH" && alg != "X25519") {
        ThrowType(isolate, "cryptoDerive: unknown algorithm");
        return;
    }

    int            id = alg == "ECDH" ? EVP_PKEY_EC : EVP_PKEY_X25519;
    Key           *peer = GetKey(isolate, args[3]);
    EVP_PKEY_CTX  *ctx;
    size_t         len = 0;
    bool           ok;

    if (peer == nullptr) {
        ThrowType(isolate, "cryptoDerive: no public key");
        return;
    }

    if (!KeyIs(isolate, k, KEY_PRIVATE, id)
        || !KeyIs(isolate, peer, KEY_PUBLIC, id))
    {
        return;
    }

    std::vector<uint8_t>  secret;

    ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, k->pkey, nullptr);

    ok = ctx != nullptr && EVP_PKEY_derive_init(ctx) == 1
         && EVP_PKEY_derive_set_peer(ctx, peer->pkey) == 1
         && EVP_PKEY_derive(ctx, nullptr, &len) == 1
         && (secret.resize(len), EVP_PKEY_derive(ctx, secret.data(), &len))
            == 1;

    EVP_PKEY_CTX_free(ctx);

    if (ok && id == EVP_PKEY_X25519) {
        uint8_t  acc = 0;

        for (size_t i = 0; i < len; i++) {
            acc |= secret[i];
        }

        ok = acc != 0;          /* a small-order peer key */
    }

    if (!ok) {
        OPENSSL_cleanse(secret.data(), secret.size());
        Operation(isolate, alg + ": cannot derive a shared secret");
        return;
    }

    if (all) {
        bits = len * 8;
    }

    if (bits > len * 8) {
        OPENSSL_cleanse(secret.data(), secret.size());
        Operation(isolate, alg + ": length over the shared secret's "
                  + std::to_string(len * 8) + " bits");
        return;
    }

    size_t  bytes = (bits + 7) / 8;

    if (bytes && bits % 8) {
        secret[bytes - 1] &= (uint8_t) (0xff << (8 - bits % 8));
    }

    v8::Local<v8::Value>  v = Out(isolate, secret.data(), bytes);

    OPENSSL_cleanse(secret.data(), secret.size());

    if (!v.IsEmpty()) {
        args.GetReturnValue().Set(v);
    }
}


/* the isolate is going: free the keys its CryptoKeys still held */
void
CryptoDispose(Isolate *self)
{
    CryptoState  *st = self->crypto;

    if (st == nullptr) {
        return;
    }

    for (Key *k : st->keys) {
        k->handle.Reset();
        KeyFree(k);
    }

    delete st;
    self->crypto = nullptr;
}

}  /* namespace jsfn */
