# Web Crypto: crypto.getRandomValues / randomUUID and crypto.subtle through
# OpenSSL, against published vectors (NIST, RFC 4231, 6070, 5869, 7515,
# 7518, 8032, McGrew-Viega), round trips, the errors WebCrypto and WPT
# expect, and hostile callers.

use Test::Nginx::Socket 'no_plan';

master_on();
workers(1);

our $Body = 'a' x (50 * 1024 * 1024);

# every block's functions may import these from './util.js'
our $Util = <<'JS';
export const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
export const unhex = (s) => new Uint8Array((s.match(/../g) || []).map((h) => parseInt(h, 16)));
export const b64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
export const toB64u = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
JS

add_block_preprocessor(sub {
    my $block = shift;
    my $files = $block->user_files;
    if (defined $files) {
        $files .= "\n" unless $files =~ /\n\z/;
        $block->set_value('user_files', "$files>>> util.js\n$::Util");
    }
});

run_tests();

__DATA__

=== TEST 1: the globals: one Crypto with one SubtleCrypto; no constructor may be called; methods reject rather than throw
--- config
    location /g { js_function $TEST_NGINX_SERVER_ROOT/html/g.js; }
--- user_files
>>> g.js
export default { async fetch() {
    const out = [];
    const tryNew = (C) => { try { new C(); return 'made'; } catch (e) { return e.name; } };
    out.push(typeof crypto, crypto instanceof Crypto, crypto.subtle instanceof SubtleCrypto,
        crypto.subtle === crypto.subtle, String(crypto), String(crypto.subtle),
        Object.keys(globalThis).includes('crypto'), tryNew(Crypto), tryNew(SubtleCrypto), tryNew(CryptoKey));
    const p = crypto.subtle.digest();
    out.push(p instanceof Promise, await p.catch((e) => e.name));
    out.push(await crypto.subtle.digest.call({}, 'SHA-256', new Uint8Array(1)).catch((e) => e.name));
    try { crypto.getRandomValues.call({}, new Uint8Array(1)); } catch (e) { out.push(e.name); }
    out.push(crypto.subtle.digest.length, crypto.subtle.importKey.length, crypto.subtle.deriveBits.length,
        crypto.subtle.unwrapKey.length);
    return new Response(out.join(' '));
} };
--- request
GET /g
--- response_body: object true true true [object Crypto] [object SubtleCrypto] false TypeError TypeError TypeError true TypeError TypeError TypeError 2 5 2 7
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: getRandomValues: integer arrays only (TypeMismatchError), at most 65536 bytes (QuotaExceededError), the same array back; randomUUID is v4
--- config
    location /r { js_function $TEST_NGINX_SERVER_ROOT/html/r.js; }
--- user_files
>>> r.js
export default { fetch() {
    const out = [];
    const err = (f) => { try { f(); return 'ok'; } catch (e) { return `${e.name}/${e.code}/${e instanceof DOMException}`; } };
    for (const C of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
                     BigInt64Array, BigUint64Array]) {
        const a = new C(8);
        out.push(crypto.getRandomValues(a) === a);
    }
    const big = new Uint8Array(65536);
    crypto.getRandomValues(big);
    out.push(big.some((x) => x !== 0), new Set(big.slice(0, 64)).size > 8);
    const view = new Uint8Array(new ArrayBuffer(32), 8, 8);
    crypto.getRandomValues(view);
    out.push(new Uint8Array(view.buffer, 0, 8).every((x) => x === 0));
    class Sub extends Uint32Array {}
    out.push(crypto.getRandomValues(new Sub(4)) instanceof Sub);
    out.push(err(() => crypto.getRandomValues(new Float32Array(4))), err(() => crypto.getRandomValues(new Float64Array(4))),
        err(() => crypto.getRandomValues(new DataView(new ArrayBuffer(4)))),
        err(() => crypto.getRandomValues(new Uint8Array(65537))), err(() => crypto.getRandomValues(new Uint32Array(16385))),
        err(() => crypto.getRandomValues(new Float32Array(65537))),
        err(() => crypto.getRandomValues([1, 2])), err(() => crypto.getRandomValues(new ArrayBuffer(4))),
        err(() => crypto.getRandomValues(new Uint8Array(new SharedArrayBuffer(4)))),
        err(() => crypto.getRandomValues()));
    const ids = new Set();
    let shape = true;
    for (let i = 0; i < 1000; i++) {
        const u = crypto.randomUUID();
        ids.add(u);
        shape = shape && /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u);
    }
    out.push(shape, ids.size);
    return new Response(out.join(' '));
} };
--- request
GET /r
--- response_body: true true true true true true true true true true true true true TypeMismatchError/17/true TypeMismatchError/17/true TypeMismatchError/17/true QuotaExceededError/22/true QuotaExceededError/22/true TypeMismatchError/17/true TypeError/undefined/false TypeError/undefined/false TypeError/undefined/false TypeError/undefined/false true 1000
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: digest: the NIST vectors ("abc", empty, the 448-bit message) for SHA-1/256/384/512, names in any case, every BufferSource
--- config
    location /d { js_function $TEST_NGINX_SERVER_ROOT/html/d.js; }
--- user_files
>>> d.js
import { hex } from './util.js';
export default { async fetch() {
    const out = [];
    const te = new TextEncoder();
    for (const m of ['abc', '', 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq']) {
        for (const h of ['SHA-1', 'sha-256', { name: 'Sha-384' }, 'SHA-512']) {
            out.push(hex(await crypto.subtle.digest(h, te.encode(m))));
        }
    }
    const abc = te.encode('xabcx');
    out.push(hex(await crypto.subtle.digest('SHA-256', abc.subarray(1, 4))).slice(0, 8),
        hex(await crypto.subtle.digest('SHA-256', new DataView(abc.buffer, 1, 3))).slice(0, 8),
        hex(await crypto.subtle.digest('SHA-256', te.encode('abc').buffer)).slice(0, 8),
        await crypto.subtle.digest('SHA-256', new Uint8Array(0)).then((r) => r instanceof ArrayBuffer));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /d
--- response_body
a9993e364706816aba3e25717850c26c9cd0d89d
ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7
ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f
da39a3ee5e6b4b0d3255bfef95601890afd80709
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b
cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e
84983e441c3bd26ebaae4aa1f95129e5e54670f1
248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1
3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b
204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445
ba7816bf
ba7816bf
ba7816bf
true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: HMAC: RFC 4231 test cases 1, 2 and 6 with SHA-256/384/512; verify accepts them and refuses a changed byte or length
--- config
    location /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
import { hex } from './util.js';
export default { async fetch() {
    const out = [];
    const te = new TextEncoder();
    const cases = [[new Uint8Array(20).fill(0x0b), 'Hi There'], [te.encode('Jefe'), 'what do ya want for nothing?'],
                   [new Uint8Array(131).fill(0xaa), 'Test Using Larger Than Block-Size Key - Hash Key First']];
    for (const [k, d] of cases) {
        for (const hash of ['SHA-256', 'SHA-384', 'SHA-512']) {
            const key = await crypto.subtle.importKey('raw', k, { name: 'HMAC', hash }, false, ['sign', 'verify']);
            const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, te.encode(d)));
            const ok = await crypto.subtle.verify('HMAC', key, sig, te.encode(d));
            sig[5] ^= 1;
            const bad = await crypto.subtle.verify('HMAC', key, sig, te.encode(d));
            const short = await crypto.subtle.verify('HMAC', key, sig.subarray(1), te.encode(d));
            out.push(`${hex(sig.map((x, i) => (i === 5 ? x ^ 1 : x)))} ${ok} ${bad} ${short}`);
        }
    }
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /h
--- response_body
b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7 true false false
afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6 true false false
87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854 true false false
5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 true false false
af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649 true false false
164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737 true false false
60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54 true false false
4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952 true false false
80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598 true false false
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: JWTs: RFC 7515 appendix A.1 (HS256), A.2 (RS256, also signed again), A.3 (ES256) and A.4 (ES512) verify with the JWKs given there
--- config
    location /j { js_function $TEST_NGINX_SERVER_ROOT/html/j.js; }
--- user_files
>>> j.js
import { b64u, toB64u } from './util.js';
const te = new TextEncoder();
const claims = 'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';
const rsa = {
    kty: 'RSA', e: 'AQAB',
    n: 'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ',
    d: 'Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ',
    p: '4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc',
    q: 'uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc',
    dp: 'BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0',
    dq: 'h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU',
    qi: 'IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U',
};
const rs256 = 'cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw';
const ec256 = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
const ec521 = { kty: 'EC', crv: 'P-521', x: 'AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk',
                y: 'ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2' };
const es512 = [1, 220, 12, 129, 231, 171, 194, 209, 232, 135, 233, 117, 247, 105, 122, 210, 26, 125, 192, 1, 217, 21, 82, 91, 45, 240, 255, 83, 19, 34, 239, 71, 48, 157, 147, 152, 105, 18, 53, 108, 163, 214, 68, 231, 62, 153, 150, 106, 194, 164, 246, 72, 143, 138, 24, 50, 129, 223, 133, 206, 209, 172, 63, 237, 119, 109,
               0, 111, 6, 105, 44, 5, 41, 208, 128, 61, 152, 40, 92, 61, 152, 4, 150, 66, 60, 69, 247, 196, 170, 81, 193, 199, 78, 59, 194, 169, 16, 124, 9, 143, 42, 142, 131, 48, 206, 238, 34, 175, 83, 203, 220, 159, 3, 107, 155, 22, 27, 73, 111, 68, 68, 21, 238, 144, 229, 232, 148, 188, 222, 59, 242, 103];

// a compact JWS checked the way a JWT library does
async function verify(jws, key, alg) {
    const [h, p, s] = jws.split('.');
    return crypto.subtle.verify(alg, key, b64u(s), te.encode(`${h}.${p}`));
}

export default { async fetch() {
    const S = crypto.subtle;
    const out = [];
    const hs = await S.importKey('jwk', { kty: 'oct', k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow' },
                                { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    out.push('A.1 ' + await verify(`eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.${claims}.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk`, hs, 'HMAC'));
    out.push('A.1 altered ' + await verify(`eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.${claims}x.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk`, hs, 'HMAC'));
    const rsaPub = await S.importKey('jwk', { kty: 'RSA', n: rsa.n, e: rsa.e, alg: 'RS256' }, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    out.push('A.2 ' + await verify(`eyJhbGciOiJSUzI1NiJ9.${claims}.${rs256}`, rsaPub, 'RSASSA-PKCS1-v1_5'));
    const rsaPriv = await S.importKey('jwk', rsa, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    out.push('A.2 signed ' + (toB64u(await S.sign('RSASSA-PKCS1-v1_5', rsaPriv, te.encode(`eyJhbGciOiJSUzI1NiJ9.${claims}`))) === rs256));
    out.push('A.2 key ' + rsaPub.algorithm.modulusLength + ' ' + rsaPub.algorithm.publicExponent.join() + ' ' + rsaPub.algorithm.hash.name);
    const ecPub = await S.importKey('jwk', ec256, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    out.push('A.3 ' + await verify(`eyJhbGciOiJFUzI1NiJ9.${claims}.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q`, ecPub, { name: 'ECDSA', hash: 'SHA-256' }));
    const ecPriv = await S.importKey('jwk', { ...ec256, d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI' }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const sig = await S.sign({ name: 'ECDSA', hash: 'SHA-256' }, ecPriv, te.encode('eyJhbGciOiJFUzI1NiJ9.' + claims));
    out.push('A.3 signed ' + sig.byteLength + ' ' + await verify(`eyJhbGciOiJFUzI1NiJ9.${claims}.${toB64u(sig)}`, ecPub, { name: 'ECDSA', hash: 'SHA-256' }));
    const ec5 = await S.importKey('jwk', ec521, { name: 'ECDSA', namedCurve: 'P-521' }, false, ['verify']);
    out.push('A.4 ' + await verify(`eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.${toB64u(new Uint8Array(es512))}`, ec5, { name: 'ECDSA', hash: 'SHA-512' }));
    out.push('A.4 DER ' + await S.verify({ name: 'ECDSA', hash: 'SHA-512' }, ec5, new Uint8Array(es512).subarray(1), te.encode('eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA')));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /j
--- response_body
A.1 true
A.1 altered false
A.2 true
A.2 signed true
A.2 key 2048 1,0,1 SHA-256
A.3 true
A.3 signed 64 true
A.4 true
A.4 DER false
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: Ed25519: RFC 8032 tests 1, 2 and 3 sign to the published signatures and verify, also as NODE-ED25519 (workerd's name)
--- config
    location /e { js_function $TEST_NGINX_SERVER_ROOT/html/e.js; }
--- user_files
>>> e.js
import { hex, unhex, toB64u } from './util.js';
const tests = [
    ['9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '',
     'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'],
    ['4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', '72',
     '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'],
    ['c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7', 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025', 'af82',
     '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'],
];
export default { async fetch() {
    const S = crypto.subtle;
    const out = [];
    for (const [sk, pk, msg, sig] of tests) {
        const m = unhex(msg);
        const priv = await S.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: toB64u(unhex(pk)), d: toB64u(unhex(sk)) }, 'Ed25519', true, ['sign']);
        const pub = await S.importKey('raw', unhex(pk), { name: 'Ed25519' }, true, ['verify']);
        const s = await S.sign('Ed25519', priv, m);
        const bad = unhex(sig);
        bad[63] ^= 1;
        const legacy = await S.importKey('raw', unhex(pk), { name: 'NODE-ED25519', namedCurve: 'NODE-ED25519' }, false, ['verify']);
        out.push([hex(s) === sig, await S.verify('Ed25519', pub, unhex(sig), m), await S.verify('Ed25519', pub, bad, m),
                  await S.verify('Ed25519', pub, unhex(sig).subarray(1), m),
                  await S.verify({ name: 'NODE-ED25519' }, legacy, unhex(sig), m), hex(await S.exportKey('raw', pub)) === pk,
                  (await S.exportKey('jwk', priv)).d === toB64u(unhex(sk))].join(' '));
    }
    const kp = await S.generateKey({ name: 'NODE-ED25519', namedCurve: 'NODE-ED25519' }, true, ['sign', 'verify']);
    const s = await S.sign('NODE-ED25519', kp.privateKey, unhex('af82'));
    out.push(JSON.stringify(kp.publicKey.algorithm) + ' ' + await S.verify('NODE-ED25519', kp.publicKey, s, unhex('af82')));
    out.push(await S.verify('Ed25519', kp.publicKey, s, unhex('af82')).catch((e) => e.name));
    out.push(await S.importKey('raw', unhex(tests[0][1]), { name: 'NODE-ED25519', namedCurve: 'Ed25519' }, false, ['verify']).catch((e) => e.name));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /e
--- response_body
true true false false true true true
true true false false true true true
true true false false true true true
{"name":"NODE-ED25519","namedCurve":"NODE-ED25519"} true
InvalidAccessError
NotSupportedError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: AES-GCM: McGrew-Viega test cases 2 and 4, shorter tags, and a wrong tag, data or additional data is an OperationError
--- config
    location /gcm { js_function $TEST_NGINX_SERVER_ROOT/html/gcm.js; }
--- user_files
>>> gcm.js
import { hex, unhex } from './util.js';
export default { async fetch() {
    const S = crypto.subtle;
    const out = [];
    const err = (p) => p.then(() => 'ok', (e) => e.name);
    const k0 = await S.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']);
    out.push(hex(await S.encrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, k0, new Uint8Array(16))));
    const k = await S.importKey('raw', unhex('feffe9928665731c6d6a8f9467308308'), { name: 'aes-gcm' }, false, ['encrypt', 'decrypt']);
    const p = unhex('d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39');
    const alg = { name: 'AES-GCM', iv: unhex('cafebabefacedbaddecaf888'), additionalData: unhex('feedfacedeadbeeffeedfacedeadbeefabaddad2') };
    const c = new Uint8Array(await S.encrypt(alg, k, p));
    out.push(hex(c));
    out.push(hex(await S.decrypt(alg, k, c)) === hex(p));
    const c96 = await S.encrypt({ ...alg, tagLength: 96 }, k, p);
    out.push(c96.byteLength + ' ' + (hex(c96) === hex(c.subarray(0, 72))) + ' ' + (hex(await S.decrypt({ ...alg, tagLength: 96 }, k, c96)) === hex(p)));
    const badTag = c.slice(); badTag[75] ^= 1;
    const badData = c.slice(); badData[0] ^= 1;
    out.push(await err(S.decrypt(alg, k, badTag)), await err(S.decrypt(alg, k, badData)),
             await err(S.decrypt({ ...alg, additionalData: new Uint8Array(1) }, k, c)),
             await err(S.decrypt(alg, k, c.subarray(0, 15))), await err(S.encrypt({ ...alg, tagLength: 48 }, k, p)),
             await err(S.encrypt({ ...alg, iv: new Uint8Array(0) }, k, p)), await err(S.encrypt({ name: 'AES-GCM' }, k, p)));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /gcm
--- response_body
0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf
42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e0915bc94fbc3221a5db94fae95ae7121a47
true
72 true true
OperationError
OperationError
OperationError
OperationError
OperationError
OperationError
TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: AES-CBC and HMAC: RFC 7518 appendix B.1 (AES_128_CBC_HMAC_SHA_256) from its parts; bad padding; AES-CTR with a counter that wraps
--- config
    location /cbc { js_function $TEST_NGINX_SERVER_ROOT/html/cbc.js; }
--- user_files
>>> cbc.js
import { hex, unhex } from './util.js';
export default { async fetch() {
    const S = crypto.subtle;
    const te = new TextEncoder();
    const out = [];
    const err = (p) => p.then(() => 'ok', (e) => e.name);
    const encKey = await S.importKey('raw', unhex('101112131415161718191a1b1c1d1e1f'), 'AES-CBC', false, ['encrypt', 'decrypt']);
    const macKey = await S.importKey('raw', unhex('000102030405060708090a0b0c0d0e0f'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const iv = unhex('1af38c2dc2b96ffdd86694092341bc04');
    const P = te.encode('A cipher system must not be required to be secret, and it must be able to fall into the hands of the enemy without inconvenience');
    const A = te.encode('The second principle of Auguste Kerckhoffs');
    const E = new Uint8Array(await S.encrypt({ name: 'AES-CBC', iv }, encKey, P));
    const AL = new Uint8Array(8);
    new DataView(AL.buffer).setUint32(4, A.length * 8);
    const T = new Uint8Array(await S.sign('HMAC', macKey, new Uint8Array([...A, ...iv, ...E, ...AL]))).subarray(0, 16);
    out.push(hex(E), hex(T), new TextDecoder().decode(await S.decrypt({ name: 'AES-CBC', iv }, encKey, E)) === new TextDecoder().decode(P));
    for (const n of [0, 1, 15, 16, 17, 33]) {
        const m = new Uint8Array(n).fill(7);
        const c = await S.encrypt({ name: 'AES-CBC', iv }, encKey, m);
        out.push(`${n}:${c.byteLength}:${hex(await S.decrypt({ name: 'AES-CBC', iv }, encKey, c)) === hex(m)}`);
    }
    const bad = E.slice(); bad[E.length - 1] ^= 0x55;
    out.push(await err(S.decrypt({ name: 'AES-CBC', iv }, encKey, bad)), await err(S.decrypt({ name: 'AES-CBC', iv }, encKey, E.subarray(0, 15))),
             await err(S.encrypt({ name: 'AES-CBC', iv: iv.subarray(1) }, encKey, P)));
    // CTR: 8 counter bits from ff..ff: the second block's counter is ff..ff00, not a carry into the rest
    const ctrKey = await S.importKey('raw', unhex('2b7e151628aed2a6abf7158809cf4f3c'), 'AES-CTR', true, ['encrypt', 'decrypt']);
    const counter = new Uint8Array(16).fill(0xff);
    const c = new Uint8Array(await S.encrypt({ name: 'AES-CTR', counter, length: 8 }, ctrKey, new Uint8Array(48)));
    const c2 = counter.slice(); c2[15] = 0;
    const expect2 = new Uint8Array(await S.encrypt({ name: 'AES-CTR', counter: c2, length: 128 }, ctrKey, new Uint8Array(16)));
    const carried = new Uint8Array(await S.encrypt({ name: 'AES-CTR', counter, length: 128 }, ctrKey, new Uint8Array(32)));
    out.push(hex(c.subarray(16, 32)) === hex(expect2), hex(c.subarray(16, 32)) === hex(carried.subarray(16)),
             hex(await S.decrypt({ name: 'AES-CTR', counter, length: 8 }, ctrKey, c)) === hex(new Uint8Array(48)),
             await err(S.encrypt({ name: 'AES-CTR', counter, length: 1 }, ctrKey, new Uint8Array(33))),
             await err(S.encrypt({ name: 'AES-CTR', counter, length: 0 }, ctrKey, new Uint8Array(1))));
    // SP 800-38A F.5.1, first block
    const nist = await S.encrypt({ name: 'AES-CTR', counter: unhex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'), length: 64 }, ctrKey, unhex('6bc1bee22e409f96e93d7e117393172a'));
    out.push(hex(nist));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /cbc
--- response_body
c80edfa32ddf39d5ef00c0b468834279a2e46a1b8049f792f76bfe54b903a9c9a94ac9b47ad2655c5f10f9aef71427e2fc6f9b3f399a221489f16362c703233609d45ac69864e3321cf82935ac4096c86e133314c54019e8ca7980dfa4b9cf1b384c486f3a54c51078158ee5d79de59fbd34d848b3d69550a67646344427ade54b8851ffb598f7f80074b9473c82e2db
652c3fa36b0a7c5b3219fab3a30bc1c4
true
0:16:true
1:16:true
15:16:true
16:32:true
17:32:true
33:48:true
OperationError
OperationError
OperationError
true
false
true
OperationError
OperationError
874d6191b620e3261bef6864990db6ce
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: PBKDF2 (RFC 6070, SHA-1) and HKDF (RFC 5869 test cases 1 and 3) with deriveBits; deriveKey to an AES and an HMAC key
--- config
    location /kdf { js_function $TEST_NGINX_SERVER_ROOT/html/kdf.js; }
--- user_files
>>> kdf.js
import { hex, unhex } from './util.js';
export default { async fetch() {
    const S = crypto.subtle;
    const te = new TextEncoder();
    const out = [];
    for (const [p, s, c, n] of [['password', 'salt', 1, 20], ['password', 'salt', 2, 20], ['password', 'salt', 4096, 20],
                                ['passwordPASSWORDpassword', 'saltSALTsaltSALTsaltSALTsaltSALTsalt', 4096, 25], ['pass\0word', 'sa\0lt', 4096, 16]]) {
        const k = await S.importKey('raw', te.encode(p), 'PBKDF2', false, ['deriveBits']);
        out.push(hex(await S.deriveBits({ name: 'PBKDF2', hash: 'SHA-1', salt: te.encode(s), iterations: c }, k, n * 8)));
    }
    const ikm = await S.importKey('raw', new Uint8Array(22).fill(0x0b), 'HKDF', false, ['deriveBits', 'deriveKey']);
    out.push(hex(await S.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: unhex('000102030405060708090a0b0c'), info: unhex('f0f1f2f3f4f5f6f7f8f9') }, ikm, 336)));
    out.push(hex(await S.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new Uint8Array(0) }, ikm, 336)));
    out.push((await S.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new Uint8Array(0) }, ikm, 0)).byteLength);
    const aes = await S.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: unhex('000102030405060708090a0b0c'), info: unhex('f0f1f2f3f4f5f6f7f8f9') },
                                  ikm, { name: 'AES-GCM', length: 256 }, true, ['encrypt']);
    out.push(JSON.stringify(aes.algorithm) + ' ' + hex(await S.exportKey('raw', aes)));
    const pw = await S.importKey('raw', te.encode('password'), 'PBKDF2', false, ['deriveKey']);
    const mac = await S.deriveKey({ name: 'PBKDF2', hash: 'SHA-1', salt: te.encode('salt'), iterations: 2 }, pw, { name: 'HMAC', hash: 'SHA-256', length: 160 }, true, ['sign']);
    out.push(JSON.stringify(mac.algorithm) + ' ' + hex(await S.exportKey('raw', mac)));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /kdf
--- response_body
0c60c80f961f0e71f3a9b524af6012062fe037a6
ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957
4b007901b765489abead49d926f721d065a429c1
3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038
56fa6aa75548099dcc37d7f03425e0c3
3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865
8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8
0
{"name":"AES-GCM","length":256} 3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf
{"name":"HMAC","length":160,"hash":{"name":"SHA-256"}} ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: round trips: generateKey, sign and verify; encrypt and decrypt; export and import in every format; ECDH and X25519 agree; wrapKey and unwrapKey
--- config
    location /rt { js_function $TEST_NGINX_SERVER_ROOT/html/rt.js; }
--- user_files
>>> rt.js
import { hex } from './util.js';
export default { async fetch() {
    const S = crypto.subtle;
    const te = new TextEncoder();
    const msg = te.encode('round trip');
    const out = [];
    const rsa = (name) => ({ name, hash: 'SHA-256', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]) });
    for (const [gen, alg, formats] of [
        [{ name: 'HMAC', hash: 'SHA-384' }, 'HMAC', ['raw', 'jwk']],
        [{ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' }, ['spki', 'pkcs8', 'jwk', 'raw']],
        [{ name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' }, ['spki', 'pkcs8', 'jwk', 'raw']],
        [{ name: 'ECDSA', namedCurve: 'P-521' }, { name: 'ECDSA', hash: 'SHA-512' }, ['spki', 'pkcs8', 'jwk']],
        [rsa('RSASSA-PKCS1-v1_5'), 'RSASSA-PKCS1-v1_5', ['spki', 'pkcs8', 'jwk']],
        [rsa('RSA-PSS'), { name: 'RSA-PSS', saltLength: 32 }, ['spki', 'pkcs8', 'jwk']],
        ['Ed25519', 'Ed25519', ['spki', 'pkcs8', 'jwk', 'raw']],
    ]) {
        const k = await S.generateKey(gen, true, ['sign', 'verify']);
        const priv = k.privateKey || k, pub = k.publicKey || k;
        const sig = await S.sign(alg, priv, msg);
        const line = [priv.algorithm.name, await S.verify(alg, pub, sig, msg), await S.verify(alg, pub, sig, te.encode('other'))];
        for (const f of formats) {
            const key = f === 'pkcs8' || (f === 'jwk' && k.privateKey) ? priv : pub;
            const data = await S.exportKey(f, key);
            const back = await S.importKey(f, data, gen, true, key.usages);
            const again = await S.exportKey(f, back);
            const same = f === 'jwk' ? JSON.stringify(again) === JSON.stringify(data) : hex(again) === hex(data);
            const usable = back.type === 'private' ? await S.verify(alg, pub, await S.sign(alg, back, msg), msg)
                         : back.type === 'public' ? await S.verify(alg, back, sig, msg) : hex(await S.sign(alg, back, msg)) === hex(sig);
            line.push(`${f}:${same}:${usable}`);
        }
        out.push(line.join(' '));
    }
    for (const [gen, alg] of [[{ name: 'AES-GCM', length: 128 }, { name: 'AES-GCM', iv: new Uint8Array(12), additionalData: msg }],
                              [{ name: 'AES-CBC', length: 192 }, { name: 'AES-CBC', iv: new Uint8Array(16) }],
                              [{ name: 'AES-CTR', length: 256 }, { name: 'AES-CTR', counter: new Uint8Array(16), length: 64 }],
                              [rsa('RSA-OAEP'), { name: 'RSA-OAEP', label: msg }]]) {
        const k = await S.generateKey(gen, true, ['encrypt', 'decrypt']);
        const c = await S.encrypt(alg, k.publicKey || k, msg);
        const p = new TextDecoder().decode(await S.decrypt(alg, k.privateKey || k, c));
        const jwk = await S.exportKey('jwk', k.privateKey || k);
        out.push(`${gen.name} ${p} ${jwk.alg} ${jwk.key_ops.join()} ${jwk.ext}`);
    }
    for (const name of ['ECDH', 'X25519']) {
        const gen = name === 'ECDH' ? { name, namedCurve: 'P-256' } : { name };
        const a = await S.generateKey(gen, false, ['deriveBits']);
        const b = await S.generateKey(gen, true, ['deriveBits', 'deriveKey']);
        const pubB = await S.importKey('spki', await S.exportKey('spki', b.publicKey), gen, true, []);
        const x = await S.deriveBits({ name, public: pubB }, a.privateKey, 256);
        const y = await S.deriveBits({ name, public: a.publicKey }, b.privateKey);
        const z = await S.deriveKey({ name, public: a.publicKey }, b.privateKey, { name: 'HMAC', hash: 'SHA-256', length: 256 }, true, ['sign']);
        out.push(`${name} ${hex(x) === hex(y)} ${y.byteLength} ${hex(await S.exportKey('raw', z)) === hex(x)} ${a.publicKey.usages.length}`);
    }
    const kek = await S.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']);
    const inner = await S.generateKey({ name: 'AES-CBC', length: 256 }, true, ['encrypt', 'decrypt']);
    const wrapped = await S.wrapKey('raw', inner, kek, 'AES-KW');
    const unwrapped = await S.unwrapKey('raw', wrapped, kek, 'AES-KW', 'AES-CBC', false, ['decrypt']);
    const c = await S.encrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, inner, msg);
    out.push(`AES-KW ${wrapped.byteLength} ${new TextDecoder().decode(await S.decrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, unwrapped, c))} ${unwrapped.extractable}`);
    const gcmKek = await S.generateKey({ name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']);
    const ec = await S.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify']);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const w = await S.wrapKey('jwk', ec.privateKey, gcmKek, { name: 'AES-GCM', iv });
    const u = await S.unwrapKey('jwk', w, gcmKek, { name: 'AES-GCM', iv }, { name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign']);
    out.push(`AES-GCM wrap jwk ${await S.verify({ name: 'ECDSA', hash: 'SHA-384' }, ec.publicKey, await S.sign({ name: 'ECDSA', hash: 'SHA-384' }, u, msg), msg)}`);
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /rt
--- timeout: 20
--- response_body
HMAC true false raw:true:true jwk:true:true
ECDSA true false spki:true:true pkcs8:true:true jwk:true:true raw:true:true
ECDSA true false spki:true:true pkcs8:true:true jwk:true:true raw:true:true
ECDSA true false spki:true:true pkcs8:true:true jwk:true:true
RSASSA-PKCS1-v1_5 true false spki:true:true pkcs8:true:true jwk:true:true
RSA-PSS true false spki:true:true pkcs8:true:true jwk:true:true
Ed25519 true false spki:true:true pkcs8:true:true jwk:true:true raw:true:true
AES-GCM round trip A128GCM encrypt,decrypt true
AES-CBC round trip A192CBC encrypt,decrypt true
AES-CTR round trip A256CTR encrypt,decrypt true
RSA-OAEP round trip RSA-OAEP-256 decrypt true
ECDH true 32 true 0
X25519 true 32 true 0
AES-KW 40 round trip false
AES-GCM wrap jwk true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: errors: the DOMException names WebCrypto gives, and when (normalization rejects at once, the operation a microtask later)
--- config
    location /err { js_function $TEST_NGINX_SERVER_ROOT/html/err.js; }
--- user_files
>>> err.js
export default { async fetch() {
    const S = crypto.subtle;
    const out = [];
    // as WPT checks it: did the promise settle before a microtask queued after the call?
    const when = async (label, p) => {
        let tick = false;
        const r = p.then(() => `resolved ${tick ? 'late' : 'early'}`,
                         (e) => `${e.name}${e instanceof DOMException ? '' : ' (not a DOMException)'} ${tick ? 'late' : 'early'}`);
        Promise.resolve().then(() => { tick = true; });
        out.push(`${label}: ${await r}`);
    };
    const u8 = new Uint8Array(16);
    const hmac = await S.importKey('raw', u8, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    const aes = await S.importKey('raw', u8, 'AES-GCM', false, ['encrypt', 'decrypt']);
    const ec = await S.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    await when('unknown algorithm', S.digest('MD5', u8));
    await when('no name', S.generateKey({}, true, ['sign']));
    await when('unknown hash', S.importKey('raw', u8, { name: 'HMAC', hash: 'SHA-3' }, false, ['sign']));
    await when('missing member', S.encrypt({ name: 'AES-GCM' }, aes, u8));
    await when('bad usage string', S.generateKey({ name: 'HMAC', hash: 'SHA-1' }, false, ['fly']));
    await when('bad format', S.exportKey('der', hmac));
    await when('data not a buffer', S.digest('SHA-256', 'text'));
    await when('data in shared memory', S.digest('SHA-256', new Uint8Array(new SharedArrayBuffer(4))));
    await when('a SharedArrayBuffer', S.digest('SHA-256', new SharedArrayBuffer(4)));
    await when('key not a key', S.sign('HMAC', {}, u8));
    await when('AES length 64', S.generateKey({ name: 'AES-CBC', length: 64 }, false, ['encrypt']));
    await when('curve P-512', S.generateKey({ name: 'ECDSA', namedCurve: 'P-512' }, false, ['sign']));
    await when('RSA exponent 1', S.generateKey({ name: 'RSA-PSS', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1]) }, false, ['sign']));
    await when('RSA 8192 bits', S.generateKey({ name: 'RSA-PSS', hash: 'SHA-256', modulusLength: 8192, publicExponent: new Uint8Array([1, 0, 1]) }, false, ['sign']));
    await when('usage not for HMAC', S.generateKey({ name: 'HMAC', hash: 'SHA-1' }, false, ['encrypt']));
    await when('empty usages', S.generateKey({ name: 'AES-KW', length: 128 }, false, []));
    await when('import empty usages', S.importKey('raw', u8, 'AES-CTR', false, []));
    await when('sign without the usage', S.sign('HMAC', hmac, u8));
    await when('key of another algorithm', S.sign('RSASSA-PKCS1-v1_5', hmac, u8));
    await when('sign with a public key', S.sign({ name: 'ECDSA', hash: 'SHA-256' }, ec.publicKey, u8));
    await when('verify with a private key', S.verify({ name: 'ECDSA', hash: 'SHA-256' }, ec.privateKey, u8, u8));
    await when('export non-extractable', S.exportKey('raw', hmac));
    await when('export PBKDF2', S.importKey('raw', u8, 'PBKDF2', false, ['deriveBits']).then((k) => S.exportKey('raw', k)));
    await when('export spki of a secret', S.generateKey({ name: 'AES-CTR', length: 128 }, true, ['encrypt']).then((k) => S.exportKey('spki', k)));
    await when('AES key of 17 bytes', S.importKey('raw', new Uint8Array(17), 'AES-CBC', false, ['encrypt']));
    await when('JWK bad base64url', S.importKey('jwk', { kty: 'oct', k: 'a$b' }, 'AES-CBC', false, ['encrypt']));
    await when('JWK wrong kty', S.importKey('jwk', { kty: 'RSA', k: 'AAAAAAAAAAAAAAAAAAAAAA' }, 'AES-CBC', false, ['encrypt']));
    await when('JWK wrong alg', S.importKey('jwk', { kty: 'oct', k: 'AAAAAAAAAAAAAAAAAAAAAA', alg: 'A256CBC' }, 'AES-CBC', false, ['encrypt']));
    await when('JWK use sig for AES', S.importKey('jwk', { kty: 'oct', k: 'AAAAAAAAAAAAAAAAAAAAAA', use: 'sig' }, 'AES-CBC', false, ['encrypt']));
    await when('JWK key_ops without it', S.importKey('jwk', { kty: 'oct', k: 'AAAAAAAAAAAAAAAAAAAAAA', key_ops: ['decrypt'] }, 'AES-CBC', false, ['encrypt']));
    await when('JWK ext false', S.importKey('jwk', { kty: 'oct', k: 'AAAAAAAAAAAAAAAAAAAAAA', ext: false }, 'AES-CBC', true, ['encrypt']));
    await when('JWK EC wrong crv', S.importKey('jwk', { kty: 'EC', crv: 'P-384', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']));
    await when('JWK EC point off the curve', S.importKey('jwk', { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWJ5a0' }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']));
    await when('JWK EC d of another key', S.importKey('jwk', { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LM' }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']));
    await when('JWK RSA without e', S.importKey('jwk', { kty: 'RSA', n: 'AQAB' }, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['verify']));
    await when('JWK as raw', S.importKey('raw', { kty: 'oct' }, 'AES-CBC', false, ['encrypt']));
    await when('spki garbage', S.importKey('spki', u8, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']));
    await when('spki of another curve', S.generateKey({ name: 'ECDH', namedCurve: 'P-384' }, true, ['deriveBits']).then((k) => S.exportKey('spki', k.publicKey)).then((d) => S.importKey('spki', d, { name: 'ECDH', namedCurve: 'P-256' }, true, [])));
    await when('raw format for RSA', S.importKey('raw', u8, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']));
    await when('GCM wrong tag', S.decrypt({ name: 'AES-GCM', iv: u8 }, aes, new Uint8Array(32)));
    await when('PBKDF2 length 0', S.importKey('raw', u8, 'PBKDF2', false, ['deriveBits']).then((k) => S.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: u8, iterations: 1 }, k, 0)));
    await when('HKDF without length', S.importKey('raw', u8, 'HKDF', false, ['deriveBits']).then((k) => S.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: u8, info: u8 }, k)));
    await when('HKDF too long', S.importKey('raw', u8, 'HKDF', false, ['deriveBits']).then((k) => S.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: u8, info: u8 }, k, 255 * 256 + 8)));
    await when('HKDF info of 64 KB', S.importKey('raw', u8, 'HKDF', false, ['deriveBits']).then((k) => S.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: u8, info: new Uint8Array(65536) }, k, 256)));
    await when('JWK RSA d longer than n', S.importKey('jwk', { kty: 'RSA', n: 'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp', e: 'AQAB', d: 'A'.repeat(200000), p: 'AQAB', q: 'AQAB', dp: 'AQAB', dq: 'AQAB', qi: 'AQAB' }, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']));
    await when('deriveKey to HKDF', S.importKey('raw', u8, 'HKDF', false, ['deriveKey']).then((k) => S.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: u8, info: u8 }, k, 'HKDF', false, ['deriveBits'])));
    await when('iterations out of range', S.importKey('raw', u8, 'PBKDF2', false, ['deriveBits']).then((k) => S.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: u8, iterations: -1 }, k, 128)));
    await when('ECDH with its own private key', S.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']).then((k) => S.deriveBits({ name: 'ECDH', public: k.privateKey }, k.privateKey, 128)));
    await when('unwrap garbage', S.generateKey({ name: 'AES-KW', length: 128 }, false, ['unwrapKey']).then((k) => S.unwrapKey('raw', new Uint8Array(24), k, 'AES-KW', 'AES-GCM', false, ['encrypt'])));
    await when('wrap a non-extractable key', S.generateKey({ name: 'AES-KW', length: 128 }, false, ['wrapKey']).then((k) => S.wrapKey('raw', aes, k, 'AES-KW')));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /err
--- response_body
unknown algorithm: NotSupportedError early
no name: TypeError (not a DOMException) early
unknown hash: NotSupportedError early
missing member: TypeError (not a DOMException) early
bad usage string: TypeError (not a DOMException) early
bad format: TypeError (not a DOMException) early
data not a buffer: TypeError (not a DOMException) early
data in shared memory: TypeError (not a DOMException) early
a SharedArrayBuffer: TypeError (not a DOMException) early
key not a key: TypeError (not a DOMException) early
AES length 64: OperationError early
curve P-512: NotSupportedError early
RSA exponent 1: OperationError early
RSA 8192 bits: OperationError early
usage not for HMAC: SyntaxError late
empty usages: SyntaxError late
import empty usages: SyntaxError late
sign without the usage: InvalidAccessError late
key of another algorithm: InvalidAccessError late
sign with a public key: InvalidAccessError late
verify with a private key: InvalidAccessError late
export non-extractable: InvalidAccessError late
export PBKDF2: NotSupportedError late
export spki of a secret: NotSupportedError late
AES key of 17 bytes: DataError late
JWK bad base64url: DataError late
JWK wrong kty: DataError late
JWK wrong alg: DataError late
JWK use sig for AES: DataError late
JWK key_ops without it: DataError late
JWK ext false: DataError late
JWK EC wrong crv: DataError late
JWK EC point off the curve: DataError late
JWK EC d of another key: DataError late
JWK RSA without e: DataError late
JWK as raw: TypeError (not a DOMException) early
spki garbage: DataError late
spki of another curve: DataError late
raw format for RSA: NotSupportedError late
GCM wrong tag: OperationError late
PBKDF2 length 0: OperationError late
HKDF without length: OperationError late
HKDF too long: OperationError late
HKDF info of 64 KB: OperationError late
JWK RSA d longer than n: DataError late
deriveKey to HKDF: OperationError late
iterations out of range: TypeError (not a DOMException) late
ECDH with its own private key: InvalidAccessError late
unwrap garbage: OperationError late
wrap a non-extractable key: InvalidAccessError late
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: CryptoKey: type, extractable, algorithm and usages as the spec shapes them, the same objects each time; public keys are always extractable
--- config
    location /k { js_function $TEST_NGINX_SERVER_ROOT/html/k.js; }
--- user_files
>>> k.js
export default { async fetch() {
    const S = crypto.subtle;
    const out = [];
    const show = (k) => `${k.type} ${k.extractable} ${JSON.stringify(k.algorithm)} ${k.usages.join()}`;
    const rsa = await S.generateKey({ name: 'RSA-OAEP', hash: 'SHA-384', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]) },
                                    false, ['unwrapKey', 'encrypt', 'decrypt', 'encrypt']);
    out.push(show(rsa.publicKey), show(rsa.privateKey), rsa.privateKey.algorithm.publicExponent instanceof Uint8Array);
    const ec = await S.generateKey({ name: 'ECDH', namedCurve: 'P-384' }, false, ['deriveKey', 'deriveBits']);
    out.push(show(ec.publicKey), show(ec.privateKey));
    const h = await S.generateKey({ name: 'HMAC', hash: { name: 'sha-512' } }, true, ['verify', 'sign', 'verify']);
    out.push(show(h), h.algorithm === h.algorithm, h.usages === h.usages, Object.prototype.toString.call(h),
             h instanceof CryptoKey, Object.keys(CryptoKey.prototype).join());
    out.push(show(await S.importKey('raw', new Uint8Array(32), 'PBKDF2', false, ['deriveKey'])));
    out.push(show(await S.importKey('raw', new Uint8Array(32), { name: 'X25519' }, false, [])));
    // a changed algorithm object changes nothing the key does
    h.algorithm.hash.name = 'SHA-1';
    h.usages.length = 0;
    out.push((await S.sign('HMAC', h, new Uint8Array(1))).byteLength, h.usages.length, (await S.exportKey('jwk', h)).alg);
    // nothing outside the runtime can make or read a key
    const fake = Object.create(CryptoKey.prototype);
    const tryGet = (f) => { try { return f(); } catch (e) { return e.name; } };
    out.push(tryGet(() => fake.type), tryGet(() => Object.getOwnPropertyDescriptor(CryptoKey.prototype, 'algorithm').get.call({})),
             await S.exportKey('raw', fake).catch((e) => e.name), await S.sign('HMAC', { __proto__: h }, new Uint8Array(1)).catch((e) => e.name),
             JSON.stringify(h), Object.getOwnPropertyNames(h).length);
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /k
--- response_body
public true {"name":"RSA-OAEP","modulusLength":1024,"publicExponent":{"0":1,"1":0,"2":1},"hash":{"name":"SHA-384"}} encrypt
private false {"name":"RSA-OAEP","modulusLength":1024,"publicExponent":{"0":1,"1":0,"2":1},"hash":{"name":"SHA-384"}} decrypt,unwrapKey
true
public true {"name":"ECDH","namedCurve":"P-384"} 
private false {"name":"ECDH","namedCurve":"P-384"} deriveKey,deriveBits
secret true {"name":"HMAC","length":1024,"hash":{"name":"SHA-512"}} sign,verify
true
true
[object CryptoKey]
true
type,extractable,algorithm,usages
secret false {"name":"PBKDF2"} deriveKey
public true {"name":"X25519"} 
64
0
HS512
TypeError
TypeError
TypeError
TypeError
{}
0
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: hostile callers: getters that replace built-ins, change or detach the data while the algorithm is read, replaced promises, detached buffers
--- config
    location /x { js_function $TEST_NGINX_SERVER_ROOT/html/x.js; }
--- user_files
>>> x.js
import { hex } from './util.js';
export default { async fetch() {
    const S = crypto.subtle;
    const out = [];
    const data = new TextEncoder().encode('abc');
    const key = await S.importKey('raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const good = hex(await S.sign('HMAC', key, data));
    const aes = await S.generateKey({ name: 'AES-GCM', length: 128 }, true, ['encrypt']);
    // the spec copies the data before it reads the algorithm: a getter that changes it is too late
    const d2 = data.slice();
    out.push(hex(await S.digest({ get name() { d2[0] = 0x7a; return 'SHA-256'; } }, d2)).slice(0, 8));
    // getters that replace what the runtime could use, and the built-ins themselves
    const saved = { iter: Array.prototype[Symbol.iterator], slice: Uint8Array.prototype.slice, upper: String.prototype.toUpperCase,
                    then: Promise.prototype.then, stringify: JSON.stringify, isView: ArrayBuffer.isView, apply: Reflect.apply };
    const alg = { get name() {
        Array.prototype[Symbol.iterator] = function* () { yield 'x'; };
        Uint8Array.prototype.slice = () => new Uint8Array(1);
        String.prototype.toUpperCase = () => 'SHA-1';
        JSON.stringify = () => '{}';
        ArrayBuffer.isView = () => false;
        Reflect.apply = () => { throw new Error('hijacked'); };
        Object.defineProperty(Object.prototype, 'hash', { get() { return 'SHA-1'; }, configurable: true });
        Object.defineProperty(Object.prototype, 'length', { get() { return 8; }, configurable: true });
        return 'HMAC';
    } };
    const sig = await S.sign(alg, key, data);
    out.push(hex(sig) === good);
    out.push(hex(await S.digest('SHA-256', data)).slice(0, 8));
    const jwk = await S.exportKey('jwk', aes);
    out.push(jwk.alg, jwk.k.length, jwk.key_ops.length);
    delete Object.prototype.hash;
    delete Object.prototype.length;
    Object.assign(Array.prototype, { [Symbol.iterator]: saved.iter });
    Uint8Array.prototype.slice = saved.slice;
    String.prototype.toUpperCase = saved.upper;
    JSON.stringify = saved.stringify;
    ArrayBuffer.isView = saved.isView;
    Reflect.apply = saved.apply;
    // then() replaced: the runtime's promises settle all the same
    Promise.prototype.then = function () { throw new Error('hijacked then'); };
    const p = S.digest('SHA-1', data);
    Promise.prototype.then = saved.then;
    out.push(hex(await p).slice(0, 8));
    // usages given as an iterable with side effects, a valueOf that changes a length
    let n = 0;
    const usages = { *[Symbol.iterator]() { n++; yield 'sign'; } };
    const k2 = await S.generateKey({ name: 'HMAC', hash: 'SHA-256', length: { valueOf() { n++; return 128; } } }, false, usages);
    out.push(k2.algorithm.length, k2.usages.join(), n);
    // a key's algorithm cannot be pointed at another hash, nor a handle taken out of a key
    const sig2 = await S.sign({ name: 'HMAC', hash: 'SHA-1' }, key, data);
    out.push(hex(sig2) === good, Object.getOwnPropertySymbols(key).length, Reflect.ownKeys(key).length);
    // detached buffers (structuredClone's transfer): getRandomValues and digest see no bytes;
    // detached inside the algorithm's getter or after the call, the data was copied before
    const detach = (u) => { if (u.byteLength) structuredClone(u.buffer, { transfer: [u.buffer] }); };
    const gone = new Uint8Array(8);
    detach(gone);
    out.push(crypto.getRandomValues(gone).byteLength, hex(await S.digest('SHA-1', gone)));
    const d3 = data.slice();
    out.push(hex(await S.digest({ get name() { detach(d3); return 'SHA-1'; } }, d3)).slice(0, 8));
    const d4 = data.slice();
    const later = S.sign('HMAC', key, d4);
    detach(d4);
    out.push(hex(await later) === good);
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /x
--- response_body
ba7816bf
true
ba7816bf
A128GCM
22
1
a9993e36
128
sign
2
true
0
0
0
da39a3ee5e6b4b0d3255bfef95601890afd80709
a9993e36
true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: a 50 MB request body is hashed and signed within the default js_function_memory
--- config
    location /big {
        client_max_body_size 100m;
        client_body_buffer_size 64m;
        js_function $TEST_NGINX_SERVER_ROOT/html/big.js;
    }
--- user_files
>>> big.js
import { hex } from './util.js';
export default { async fetch(r) {
    const body = await r.arrayBuffer();
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('k'.repeat(32)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Response(`${body.byteLength} ${hex(await crypto.subtle.digest('SHA-256', body))} ${hex(await crypto.subtle.sign('HMAC', key, body))}`);
} };
--- request eval
"POST /big\n$::Body"
--- timeout: 20
--- response_body: 52428800 4f0e9c6a1a9a90f35b884d0f0e7343459c21060eefec6c0f2fa9dc1118dbe5be dd3466d0395e535cf7019d9db819d806e519c8f5524fa43b8e37f59573e84b43
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: PBKDF2 with RFC 6070's 16777216 iterations is stopped at js_function_cpu_limit like a loop in JS, not after it
--- config
    location /slow {
        js_function_cpu_limit 100ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/slow.js;
    }
--- user_files
>>> slow.js
export default { async fetch() {
    const te = new TextEncoder();
    const k = await crypto.subtle.importKey('raw', te.encode('password'), 'PBKDF2', false, ['deriveBits']);
    await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-1', salt: te.encode('salt'), iterations: 16777216 }, k, 160);
    return new Response('finished');
} };
--- request
GET /slow
--- error_code: 503
--- timeout: 10
--- error_log eval
qr/\[error\] .*js_function ".*slow\.js": CPU time limit of 100 ms exceeded \(js_function_cpu_limit\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 16: key material is freed with its CryptoKey: 400 HMAC keys of 1 MB pass through a js_function_memory of 16 MB
--- config
    location /mem {
        js_function_memory 16m;
        js_function_cpu_limit 20s;
        js_function $TEST_NGINX_SERVER_ROOT/html/mem.js;
    }
--- user_files
>>> mem.js
export default { async fetch() {
    const raw = new Uint8Array(1 << 20);
    let total = 0;
    for (let i = 0; i < 400; i++) {
        raw[0] = i;
        const k = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
        total += (await crypto.subtle.sign('HMAC', k, raw)).byteLength;
    }
    return new Response(`${total}`);
} };
--- request
GET /mem
--- timeout: 20
--- response_body: 12800
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: key material counts against js_function_memory: generated HMAC keys of 1 MB kept alive go past 16 MB, as such buffers would
--- config
    location /keep {
        js_function_memory 16m;
        js_function $TEST_NGINX_SERVER_ROOT/html/keep.js;
    }
--- user_files
>>> keep.js
const keys = [];
export default { async fetch() {
    while (keys.length < 100) {
        keys.push(await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-512', length: 8 << 20 }, false, ['sign']));
    }
    return new Response(`kept ${keys.length}`);
} };
--- request
GET /keep
--- error_code: 503
--- error_log eval
qr/\[error\] .*js_function ".*keep\.js": memory limit of 16 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]
exited on signal
