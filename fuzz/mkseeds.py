#!/usr/bin/env python3
"""mkseeds.py OUT [WPT]: seed inputs for the fuzz targets, into OUT/<target>/.

A developer's tool, not run by fuzz/run: the committed corpus in
fuzz/corpus/ is what these seeds became after libFuzzer's -merge=1 kept
those that add coverage (see README.md).  URL, host and base64 seeds come
from the web-platform-tests data in WPT (default /work/shared/wpt).
"""

import hashlib
import json
import os
import sys


def field(data, wide=False):
    """A field as common.js's Reader (and FuzzedDataProvider) reads it."""
    if isinstance(data, str):
        data = (data.encode('utf-16-le', 'surrogatepass') if wide
                else data.encode('utf-8', 'surrogatepass'))
    return data.replace(b'\\', b'\\\\') + b'\\ '


def is_bmp_utf8_safe(s):
    try:
        s.encode('utf-8')
        return True
    except UnicodeEncodeError:
        return False


class Out:
    def __init__(self, top):
        self.top = top
        self.count = {}

    def put(self, target, data):
        d = os.path.join(self.top, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)
        self.count[target] = self.count.get(target, 0) + 1


def load(wpt, name):
    with open(os.path.join(wpt, name), encoding='utf-8') as f:
        return [x for x in json.load(f) if not isinstance(x, str)]


def natives(out, wpt):
    # op byte: low 3 bits the operation, bit 3 UTF-16LE fields
    def url(op, *fields):
        wide = not all(is_bmp_utf8_safe(f) for f in fields)
        out.put('natives', bytes([op | (8 if wide else 0)])
                + b''.join(field(f, wide) for f in fields))

    for case in load(wpt, 'urltestdata.json') + \
            load(wpt, 'urltestdata-javascript-only.json'):
        if case.get('base') is None:
            url(4, case['input'])
        else:
            url(5, case['input'], case['base'])

    for case in load(wpt, 'toascii.json'):
        url(4, 'https://' + case['input'] + '/x')

    for i, case in enumerate(load(wpt, 'IdnaTestV2.json')):
        if i % 16 == 0:
            url(4, 'https://' + case['input'] + '/')

    for case in load(wpt, 'percent-encoding.json'):
        url(4, 'https://example.org/' + case['input'] + '?' + case['input']
            + '#' + case['input'])

    setters = ['href', 'protocol', 'username', 'password', 'host',
               'hostname', 'port', 'pathname', 'search', 'hash']
    with open(os.path.join(wpt, 'setters_tests.json'), encoding='utf-8') as f:
        tests = json.load(f)
    for name, cases in tests.items():
        if name not in setters:
            continue
        for case in cases:
            wide = not (is_bmp_utf8_safe(case['href'])
                        and is_bmp_utf8_safe(case['new_value']))
            out.put('natives', bytes([6 | (8 if wide else 0), 0x80])
                    + field(case['href'], wide)
                    + bytes([setters.index(name)])
                    + field(case['new_value'], wide))

    for data, _ in load(wpt, 'base64.json'):
        wide = any(ord(c) > 0xff for c in data)
        raw = (data.encode('utf-16-le', 'surrogatepass') if wide
               else data.encode('latin-1'))
        out.put('natives', bytes([3 | (8 if wide else 0)]) + raw)
    for data in [b'', b'f', b'fo', b'foo', b'\x00\xff\x80', bytes(range(256))]:
        out.put('natives', b'\x03' + __import__('base64').b64encode(data))

    utf8 = [b'', b'abc', b'\xc3\xa9', b'\xe2\x82\xac', b'\xf0\x9f\x98\x80',
            b'\xef\xbb\xbfBOM', b'\xef\xbb\xbf\xef\xbb\xbf', b'\xc0\x80',
            b'\xe0\x80\x80', b'\xf0\x80\x80\x80', b'\xed\xa0\x80',
            b'\xed\xbf\xbf', b'\xf4\x90\x80\x80', b'\xf5\x80', b'\xff\xfe',
            b'\x80', b'\xbf', b'\xe2\x82', b'\xf0\x9f\x98', b'a\xe2\x82b',
            b'\xc2', b'\xe0\xa0', b'\xf0\x90\x80', b'\xf4\x8f\xbf\xbf',
            b'\xee\x80\x80', b'\xe2\x28\xa1', b'\xf8\x88\x80\x80\x80',
            b'\x00\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf']
    for b in utf8:
        out.put('natives', b'\x00\x00' + b)        # whole
        out.put('natives', b'\x01\x03\x01\x02\x03' + b)   # three cuts
        out.put('natives', b'\x01\x11\x01' + b)    # a cut, flush
        out.put('natives', b'\x02\x07' + b)        # encode, 7-byte dest

    for s in ['\ud800', 'a\udc00b', '\ud83d\ude00', '\ud83d', '\ude00\ud83d',
              'ab\u20acc\U0001f600', '\ufeff']:
        out.put('natives', b'\x0a\x05' + s.encode('utf-16-le', 'surrogatepass'))
        out.put('natives', b'\x0a\x00' + s.encode('utf-16-le', 'surrogatepass'))
        out.put('natives', b'\x0f' + field('?' + s, True))

    for q in ['a=b&c=d', 'a+b=c%20d', '%zz=%', '=&=&&', 'a=b=c', '?x=1',
              'caf\u00e9=\u20ac', 'a=1&a=2&b=3', '%00=%0a', '+']:
        out.put('natives', b'\x07' + field(q))
        out.put('natives', b'\x07' + field(q) + b'\x01' + field('a')
                + field('z') + b'\x03' + field('') + field('')
                + b'\x04' + field('a') + field('2'))


def request(out, wpt):
    # FuzzedDataProvider: strings from the front; the body is what is left
    # before the last two bytes (has-body flag, then header count)
    def req(method, url, headers, body=None):
        data = field(method) + field(url)
        for n, v in headers:
            data += field(n) + field(v)
        data += (body or b'') + bytes([1 if body is not None else 0,
                                       len(headers)])
        out.put('request', data)

    req('GET', 'http://example.com/', [('Host', 'example.com'),
                                       ('Accept', '*/*')])
    req('POST', 'https://example.com/api?x=1',
        [('Content-Type', 'application/json'), ('Content-Length', '7')],
        b'{"a":1}')
    req('GET', 'http://h/', [('Cookie', 'a=1'), ('cookie', 'b=2'),
                             ('Set-Cookie', 'x'), ('set-cookie', 'y')])
    req('PUT', 'http://h/\xe9', [('X-\xc0\xde', '\x00\r\n\xff'),
                                 ('', ''), (' a ', ' b ')],
        b'\xef\xbb\xbf\xff\xfe')
    req('HEAD', 'http://h/', [], b'')
    req('get', '/relative', [('a', 'b')], b'\x00')
    req('M\xe9THOD', 'http://[::1]:8080/p?q#f', [('Accept-Language', 'en')],
        b'\xc3\xa9t\xc3\xa9')
    for case in load(wpt, 'urltestdata.json')[::40]:
        if 'href' in case and is_bmp_utf8_safe(case['href']):
            req('GET', case['href'], [('Host', 'h')])


def response(out, wpt):
    # byte 0: how (bits 0-2), UTF-16 (bit 3), tamper (bit 4), body kind
    # (bits 5-7); bytes 1-2 tamper; 3-4 status; status text; header count;
    # name/value fields; body field; operations
    def resp(b0, status, text, headers, body, ops=b''):
        data = bytes([b0, 0, 0, status >> 8, status & 255]) + field(text)
        data += bytes([len(headers)])
        for n, v in headers:
            data += field(n) + field(v)
        out.put('response', data + field(body) + ops)

    h = [('Content-Type', 'text/html'), ('X-A', ' b '), ('x-a', 'c'),
         ('Set-Cookie', 'a=1'), ('set-cookie', 'b=2')]
    for how in range(8):
        for kind in range(8):
            resp(how | kind << 5, 200 + how, 'OK' if kind & 1 else '',
                 h[:kind % 6], 'hello \u00e9 \U0001f600' if kind != 5
                 else 'a=b&c=d')
    resp(0x20, 404, 'Not Found', [('Cache-Control', 'no-store')], 'nope')
    resp(0x20, 0x8000 | 7, '', [], 'special status')
    resp(0x20, 204, '', [], 'body with 204')
    resp(0x40, 200, 'caf\u00e9', [('X-\u00e9', '\u00ff')], '\x00\x01')
    resp(0x22, 301, '', [], 'http://example.com/a b')
    resp(0x21, 200, '', [], '{"a":[1,2,{"b":null}]}')
    resp(0x20, 200, 'A\tB', [('a', 'b')], 'x',
         b'\x00' + field('X-New') + field(' v ') + b'\x01' + field('a')
         + field('c') + b'\x02' + field('content-type') + field('')
         + b'\x03' + field('') + field('') + b'\x04' + field('') + field(''))
    resp(0x20, 200, 'bad\r\nreason', [('a\r\nb', 'c')], 'x',
         b'\x00' + field('x y') + field('v\n'))


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else 'build/fuzz/seeds'
    wpt = sys.argv[2] if len(sys.argv) > 2 else '/work/shared/wpt'
    out = Out(top)
    natives(out, wpt)
    request(out, wpt)
    response(out, wpt)
    for k, v in sorted(out.count.items()):
        print(f'{k}: {v} seeds in {os.path.join(top, k)}')


main()
