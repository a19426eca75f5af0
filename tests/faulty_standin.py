"""The stand-in, failing the way real providers fail: at random, at given
ratios (429, 500, garbage, hangs), and in two ways the plain stand-in does not
know: a "trickle" (the answer one byte every few seconds, so no per-read
timeout ever fires), an "overlong" answer (120,000 characters for any text)
a "shapeless" one (JSON, but not LibreTranslate's: `{"translation": ...}`) and a
"bad-redirect" (302 to `http://[...`, an address no URL parser accepts), and a
hostile "echo-key" (the request's api_key, base64-encoded, as "the translation").

    with FaultyStandIn(ratios={429: 0.3, 500: 0.1, "garbage": 0.02, "hang": 0.03}) as server:
        ...
    python tests/faulty_standin.py --latency 0.3 --r429 0.3 --r500 0.1 --garbage 0.02 --hang 0.03

Faults queued in `faults` or set in `always` come first, as in the stand-in.
"""

from __future__ import annotations

import base64
import json
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from standin import StandIn  # noqa: E402

OVERLONG_CHARACTERS = 120_000


class FaultyStandIn(StandIn):
    def __init__(self, ratios: dict | None = None, seed: int = 1, trickle_seconds: float = 4.0,
                 retry_after: int | None = 1, **kwargs):
        super().__init__(**kwargs)
        self.ratios = dict(ratios or {})
        self.trickle_seconds = trickle_seconds
        self.retry_after = retry_after          # None: a 429 without Retry-After
        self._random = random.Random(seed)

    def _next_fault(self):
        fault = super()._next_fault()
        if fault is not None or not self.ratios:
            return fault
        with self._lock:
            draw = self._random.random()
        for kind, ratio in self.ratios.items():
            if draw < ratio:
                return kind
            draw -= ratio
        return None

    def _handler(self):
        base, standin = super()._handler(), self

        class Handler(base):
            def _fault(self, fault) -> bool:
                if fault == "trickle":
                    standin._count(fault)
                    return self._trickle(json.dumps({"translatedText": "una traduzione lenta"}).encode())
                if fault == "overlong":
                    standin._count(fault)
                    self._send(200, {"translatedText": "字" * OVERLONG_CHARACTERS})
                    return True
                if fault == "shapeless":
                    standin._count(fault)
                    self._send(200, {"translation": "una risposta di un'altra API"})
                    return True
                if fault == "echo-key":
                    standin._count(fault)
                    with standin._lock:
                        key = standin.requests[-1].get("api_key", "")
                    self._send(200, {"translatedText": f"Chiave: {base64.b64encode(key.encode()).decode()}"})
                    return True
                if fault == "bad-redirect":
                    standin._count(fault)
                    self.send_response(302)
                    self.send_header("Location", "http://[::1/translate")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return True
                if fault == 429 and standin.retry_after is None:
                    standin._count(fault)
                    self._send(429, {"error": "injected 429"})
                    return True
                return super()._fault(fault)

            def _trickle(self, body: bytes) -> bool:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(standin.trickle_seconds)
                except OSError:
                    pass     # the client hung up: what a total deadline does
                return True

        return Handler


def main() -> None:
    """Serve from the command line (for benchmarks): prints the URL, runs until killed."""
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--r429", type=float, default=0.0)
    parser.add_argument("--r500", type=float, default=0.0)
    parser.add_argument("--garbage", type=float, default=0.0)
    parser.add_argument("--hang", type=float, default=0.0)
    parser.add_argument("--hang-seconds", type=float, default=60.0)
    parser.add_argument("--retry-after", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    ratios = {429: args.r429, 500: args.r500, "garbage": args.garbage, "hang": args.hang}
    server = FaultyStandIn(ratios={k: v for k, v in ratios.items() if v}, seed=args.seed,
                           retry_after=args.retry_after, latency=args.latency)
    server.hang_seconds = args.hang_seconds
    with server:
        print(server.url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
