#!/usr/bin/env python3
"""An independent MixPlay compression peer.

Speaks the protocol's `gzip` and `lz4` compression to a mediator using only Python's own
`zlib`, the PyPI `lz4` bindings (liblz4) and the PyPI `websockets` client, so that it shares no
code with the Rust implementation it checks.

Wire format once a compressed scheme is on: every websocket frame is BINARY and holds the
uncompressed length as an unsigned LEB128 varint followed by compressed bytes; each direction
keeps one compression stream for the life of the scheme (gzip: one gzip member, sync-flushed at
the end of every frame; lz4: one LZ4 frame with linked blocks, one block per message).

Usage: compression_peer.py HOST:PORT gzip|lz4 [--text]

  --text   after compression is on, also send some methods as plain text frames (the server
           must still accept them) interleaved with compressed ones.

It runs three game-client connections in turn:
  1. the full exchange (hello, setCompression, getTime, createControls, getScenes, repeated
     getTime), decoding and checking every frame the server sends, then a frame whose declared
     length is SMALLER than its content, which must make the server close with 4001;
  2. one good call, then a frame whose declared length is LARGER than its content (4001);
  3. one good call, then a frame whose compressed bytes are corrupt (4001).

Exits 0 and prints "PASS ..." on success; prints "FAIL: reason" and exits 1 otherwise.
"""

import contextlib
import json
import sys
import time
import zlib

try:
    import lz4.frame
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect
except ImportError as e:  # pragma: no cover - environment problem
    print(f"FAIL: missing Python package ({e}); run tests/peers/install.sh", flush=True)
    sys.exit(2)

TIMEOUT = 10.0
DECOMPRESSION_FAILED = 4001
SESSION_ALREADY_RUNNING_RETRIES = 50


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
# Varints and the two compression streams


def write_varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def read_varint(data):
    value = 0
    for i, b in enumerate(data[:10]):
        value |= (b & 0x7F) << (7 * i)
        if b & 0x80 == 0:
            return value, i + 1
    raise Failure(f"frame has no valid varint length prefix: {data[:12].hex()}")


class GzipWriter:
    def __init__(self):
        self.c = zlib.compressobj(level=6, method=zlib.DEFLATED, wbits=31)

    def compress(self, data):
        return self.c.compress(data) + self.c.flush(zlib.Z_SYNC_FLUSH)


class GzipReader:
    def __init__(self):
        self.d = zlib.decompressobj(wbits=31)

    def decompress(self, data, expected):
        out = self.d.decompress(data)
        check(not self.d.unconsumed_tail, "gzip reader left input unconsumed")
        check(not self.d.eof, "server ended its gzip stream (it must stay open)")
        return out


class Lz4Writer:
    def __init__(self):
        self.c = lz4.frame.LZ4FrameCompressor(block_linked=True, auto_flush=True)
        self.header = self.c.begin()

    def compress(self, data):
        out = self.c.compress(data)
        if self.header is not None:
            out, self.header = self.header + out, None
        return out


class Lz4Reader:
    # python-lz4's decompress() sizes its output buffer from the input (about twice its length)
    # unless told max_length; a linked block that decompresses to more than that then loses the
    # rest of its output inside liblz4 (a later decompress(b"") does not return it). The frame's
    # varint gives the size, so ask for that much plus some slack to see overlong frames.
    SLACK = 64

    def __init__(self):
        self.d = lz4.frame.LZ4FrameDecompressor()

    def decompress(self, data, expected):
        out = self.d.decompress(data, max_length=expected + self.SLACK)
        check(self.d.needs_input, "LZ4 reader left input unconsumed (frame longer than declared?)")
        check(not self.d.eof, "server ended its LZ4 frame (it must stay open)")
        return out


STREAMS = {"gzip": (GzipWriter, GzipReader), "lz4": (Lz4Writer, Lz4Reader)}


# ---------------------------------------------------------------------------------------------
# One game-client connection


class Peer:
    def __init__(self, addr, scheme):
        self.scheme = scheme
        self.url = f"ws://{addr}/gameClient"
        self.ws = None
        self.stack = contextlib.ExitStack()
        self.next_id = 1
        self.last_seq = 0
        self.writer = None
        self.reader = None
        self.backlog = []
        self.frames_in = 0
        self.frames_out = 0

    def open(self):
        headers = {
            "Authorization": "Bearer demo-streamer",
            "X-Interactive-Version": "1",
            "X-Protocol-Version": "2.0",
        }
        # The previous connection's session may take a moment to end on the server.
        for _ in range(SESSION_ALREADY_RUNNING_RETRIES):
            self.stack.close()
            self.stack = contextlib.ExitStack()
            self.ws = self.stack.enter_context(connect(self.url, additional_headers=headers, open_timeout=TIMEOUT,
                                                       close_timeout=TIMEOUT, max_size=None))
            try:
                hello = self.wait_method("hello")
                check(hello.get("discard") is True, f"hello should be discarded: {hello}")
                return
            except ConnectionClosed as e:
                code = e.rcvd.code if e.rcvd else None
                if code == DECOMPRESSION_FAILED:
                    raise
                self.ws = None
                time.sleep(0.1)
        raise Failure("could not open a game session (the previous one never ended?)")

    # -- receiving --

    def recv_packets(self):
        msg = self.ws.recv(timeout=TIMEOUT)
        if isinstance(msg, str):
            check(self.reader is None, f"server sent a TEXT frame while {self.scheme} is on: {msg[:200]}")
            text = msg
        else:
            check(self.reader is not None, f"server sent a BINARY frame before compression: {msg[:40].hex()}")
            declared, used = read_varint(msg)
            data = self.reader.decompress(msg[used:], declared)
            check(len(data) == declared,
                  f"server frame declares {declared} bytes but decompressed to {len(data)}: {data[:200]!r}")
            text = data.decode("utf-8")
            self.frames_in += 1
        try:
            value = json.loads(text)
        except ValueError as e:
            raise Failure(f"server frame is not JSON ({e}): {text[:200]!r}")
        packets = value if isinstance(value, list) else [value]
        for p in packets:
            check(isinstance(p, dict) and p.get("type") in ("method", "reply"), f"bad packet: {p}")
            if isinstance(p.get("seq"), int):
                self.last_seq = p["seq"]
        return packets

    def wait(self, pred, what):
        deadline = time.monotonic() + TIMEOUT
        while True:
            for i, p in enumerate(self.backlog):
                if pred(p):
                    return self.backlog.pop(i)
            check(time.monotonic() < deadline, f"timed out waiting for {what}")
            self.backlog.extend(self.recv_packets())

    def wait_method(self, name):
        return self.wait(lambda p: p["type"] == "method" and p.get("method") == name, f"method {name}")

    def wait_reply(self, id_):
        return self.wait(lambda p: p["type"] == "reply" and p.get("id") == id_, f"reply {id_}")

    # -- sending --

    def packet(self, method, params):
        id_ = self.next_id
        self.next_id += 1
        text = json.dumps({"type": "method", "id": id_, "method": method, "params": params,
                           "discard": False, "seq": self.last_seq}, separators=(",", ":"))
        return id_, text.encode("utf-8")

    def frame(self, data, declared=None):
        body = self.writer.compress(data)
        return write_varint(len(data) if declared is None else declared) + body

    def send(self, method, params, text=False):
        id_, data = self.packet(method, params)
        if self.writer is None or text:
            self.ws.send(data.decode("utf-8"))
        else:
            self.ws.send(self.frame(data))
            self.frames_out += 1
        return id_

    def call(self, method, params, text=False):
        id_ = self.send(method, params, text)
        reply = self.wait_reply(id_)
        check(reply.get("error") is None, f"{method} failed: {reply.get('error')}")
        return reply.get("result")

    def set_compression(self):
        result = self.call("setCompression", {"scheme": [self.scheme]})
        check(result == {"scheme": self.scheme}, f"setCompression answered {result}, wanted {self.scheme}")
        w, r = STREAMS[self.scheme]
        self.writer, self.reader = w(), r()

    def expect_close(self, code, what):
        """Waits for the server to close; packets that arrive first must still decode."""
        deadline = time.monotonic() + TIMEOUT
        try:
            while time.monotonic() < deadline:
                self.recv_packets()
        except ConnectionClosed as e:
            got = e.rcvd.code if e.rcvd else None
            check(got == code, f"after {what} the server closed with {got} ({e}), wanted {code}")
            log(f"  {what}: server closed with {got} ({e.rcvd.reason!r})")
            return
        except TimeoutError:
            pass
        raise Failure(f"after {what} the server did not close within {TIMEOUT}s")

    def close(self):
        self.stack.close()


def check_time(result):
    check(isinstance(result, dict) and isinstance(result.get("time"), int) and result["time"] > 0,
          f"getTime result: {result}")


# ---------------------------------------------------------------------------------------------
# The three connections


def full_exchange(addr, scheme, text_mode):
    p = Peer(addr, scheme)
    p.open()
    try:
        p.set_compression()
        log(f"  setCompression -> {scheme}")
        check_time(p.call("getTime", {}))

        controls = [{"controlID": "b1", "kind": "button", "text": "Hello"}]
        id_ = p.send("createControls", {"sceneID": "default", "controls": controls})
        event = p.wait_method("onControlCreate")
        params = event.get("params") or {}
        check(params.get("sceneID") == "default", f"onControlCreate params: {params}")
        check([c.get("controlID") for c in params.get("controls", [])] == ["b1"], f"onControlCreate params: {params}")
        check(params["controls"][0].get("text") == "Hello", f"onControlCreate control: {params}")
        reply = p.wait_reply(id_)
        check(reply.get("error") is None, f"createControls failed: {reply.get('error')}")
        log("  createControls -> reply and onControlCreate decoded")

        scenes = p.call("getScenes", {})
        check(isinstance(scenes, dict) and isinstance(scenes.get("scenes"), list), f"getScenes result: {scenes}")
        default = [s for s in scenes["scenes"] if s.get("sceneID") == "default"]
        check(default, f"getScenes has no default scene: {scenes}")
        ids = [c.get("controlID") for c in default[0].get("controls", [])]
        check("b1" in ids, f"getScenes default scene lacks b1: {default[0]}")
        log(f"  getScenes -> default scene has {ids}")

        # Repeats compress against the stream's history in both directions.
        for i in range(8):
            as_text = text_mode and i % 2 == 1
            check_time(p.call("getTime", {}, text=as_text))
        # Pipelined calls: several frames in flight, replies decoded in order of arrival.
        ids = [p.send("getTime", {}, text=text_mode and i == 2) for i in range(5)]
        for id_ in ids:
            check_time(p.wait_reply(id_)["result"])
        # A larger message spanning a few deflate/LZ4 windows' worth of repetition.
        big = [{"controlID": f"big{i}", "kind": "button", "text": "x" * 40} for i in range(200)]
        result = p.call("createControls", {"sceneID": "default", "controls": big})
        check(result is not None, "createControls(big) result")
        p.wait_method("onControlCreate")
        check_time(p.call("getTime", {}))
        log(f"  {p.frames_out} compressed frames sent, {p.frames_in} received and verified"
            + (" (plus plain-text frames accepted)" if text_mode else ""))

        # The declared length is smaller than what the frame decompresses to.
        _, data = p.packet("getTime", {})
        p.ws.send(p.frame(data, declared=len(data) - 3))
        p.expect_close(DECOMPRESSION_FAILED, "a frame declaring too few bytes")
    finally:
        p.close()


def too_long(addr, scheme):
    p = Peer(addr, scheme)
    p.open()
    try:
        p.set_compression()
        check_time(p.call("getTime", {}))
        _, data = p.packet("getTime", {})
        p.ws.send(p.frame(data, declared=len(data) + 7))
        p.expect_close(DECOMPRESSION_FAILED, "a frame declaring too many bytes")
    finally:
        p.close()


def corrupt(addr, scheme):
    p = Peer(addr, scheme)
    p.open()
    try:
        p.set_compression()
        check_time(p.call("getTime", {}))
        _, data = p.packet("getTime", {})
        body = bytearray(p.writer.compress(data))
        # gzip: a deflate block header with BTYPE=11 (reserved) is invalid. lz4: a block size of
        # 0x7fffffff exceeds any block maximum.
        body[:4] = b"\xff\xff\xff\xff"
        p.ws.send(write_varint(len(data)) + bytes(body))
        p.expect_close(DECOMPRESSION_FAILED, "a frame with corrupt bytes")
    finally:
        p.close()


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = [a for a in argv[1:] if a.startswith("--")]
    if len(args) != 2 or args[1] not in STREAMS or any(f != "--text" for f in flags):
        print(__doc__, file=sys.stderr)
        return 2
    addr, scheme = args
    text_mode = "--text" in flags
    try:
        log(f"[{scheme}] full exchange against ws://{addr}/gameClient")
        full_exchange(addr, scheme, text_mode)
        log(f"[{scheme}] declared length too large")
        too_long(addr, scheme)
        log(f"[{scheme}] corrupt compressed bytes")
        corrupt(addr, scheme)
    except Failure as e:
        log(f"FAIL [{scheme}{' --text' if text_mode else ''}]: {e}")
        return 1
    except ConnectionClosed as e:
        log(f"FAIL [{scheme}{' --text' if text_mode else ''}]: connection closed unexpectedly: {e}")
        return 1
    except Exception as e:  # noqa: BLE001 - any other error is a failure with its reason
        log(f"FAIL [{scheme}{' --text' if text_mode else ''}]: {type(e).__name__}: {e}")
        return 1
    log(f"PASS: {scheme}{' (with plain-text frames)' if text_mode else ''} interoperates with the mediator "
        f"(python zlib {zlib.ZLIB_RUNTIME_VERSION}, lz4 {lz4.library_version_string()})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
