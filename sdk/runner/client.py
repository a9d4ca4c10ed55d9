"""Host side of the protocol: typed calls, per-request timeouts, retries with the same seq.

A retry re-sends the identical frame; the device recognises it and answers from its saved
reply, so a RUN whose reply was lost is not executed twice."""

from __future__ import annotations

import collections
import random
import time

import numpy as np
import serial

from sdk.runner import protocol as p
from sdk.runner.transport import FramedPort, open_port


class DeviceUnresponsive(p.ProtocolError):
    """No valid reply after all retries."""


class LinkLost(p.ProtocolError):
    """The port itself failed (board unplugged, emulator gone, socket closed): no retry helps."""


# A NAK re-sends at once without using up an attempt (it may answer junk sent before the
# request) this many times per request; after that each NAK counts as a failed attempt, so a
# stream of junk cannot keep us busy for ever.
NAK_RESENDS = 16


class DeviceClient:
    def __init__(self, port: str | serial.SerialBase, timeout: float = 2.0, retries: int = 3,
                 board: str | None = None, chunk_bytes: int | None = None,
                 run_timeout: float | None = None):
        """timeout: seconds to wait for each reply (run_timeout for RUN, default the same);
        retries: re-sends of the same frame after a timeout or a damaged reply;
        board: a name for error messages (a boards.toml entry), the port is named anyway;
        chunk_bytes: cap on the tensor bytes per WRITE/READ frame — smaller frames get through
        a noisy link more often (default: the device's max payload)."""
        # The raw frame layer, public for tools and tests that need to send hand-made frames.
        self.link = FramedPort(open_port(port, timeout) if isinstance(port, str) else port)
        self.timeout = timeout
        self.run_timeout = run_timeout
        self.retries = retries
        self.board = board
        self.chunk_bytes = chunk_bytes
        # A random first seq keeps a fresh client from matching the previous session's last request.
        self._seq = random.randrange(256)
        self._info: p.DeviceInfo | None = None
        self._last_good = "none yet"
        self._last_good_at: float | None = None
        self.stats = {"requests": 0, "resends": 0, "naks": 0, "bad_frames": 0, "timeouts": 0}

    @property
    def port_name(self) -> str:
        return self.link.name

    @property
    def where(self) -> str:
        """'board NAME on PORT' or just the port, for messages."""
        return f"board {self.board!r} on {self.port_name}" if self.board else self.port_name

    def __enter__(self) -> DeviceClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.link.close()

    def send_ahead(self, msg_type: int, payload: bytes = b"") -> None:
        """Send a request without waiting for its reply, to a board that is not running yet
        (an emulator started paused); the reply, if any, carries its own seq, which the next
        request's wait drops."""
        self._seq = (self._seq + 1) & 0xFF
        self.link.send(p.DELIMITER + p.encode_frame(msg_type, self._seq, payload))

    def request(self, msg_type: int, payload: bytes = b"", timeout: float | None = None) -> bytes:
        """Send one request and return the OK payload; raises DeviceError on ERR.

        Every send of this request is the identical frame (same seq), so the device answers a
        copy it already executed from its saved reply instead of executing it again."""
        self._seq = (self._seq + 1) & 0xFF
        seq = self._seq
        # The leading delimiter ends whatever garbage the device may be holding.
        wire = p.DELIMITER + p.encode_frame(msg_type, seq, payload)
        timeout = self.timeout if timeout is None else timeout
        failures: list[str] = []
        naks = 0
        self.stats["requests"] += 1
        reply = None
        while len(failures) <= self.retries:
            try:
                self.link.send(wire)
                reply, why = self._await_reply(seq, time.monotonic() + timeout)
            except serial.SerialTimeoutException:  # the write did not drain in time: retry
                reply, why = None, "timeout"
            except OSError as error:  # SerialException included: the port itself is gone
                raise LinkLost(f"{self.where}: the link broke during {p.type_name(msg_type)} seq={seq} "
                               f"({error}): the board was unplugged or powered off, or its emulator "
                               f"stopped; last good exchange: {self._last_exchange()}. "
                               "Reconnect the board, then run the command again") from None
            if reply is not None:
                break
            if why.startswith("NAK"):
                self.stats["naks"] += 1
                naks += 1
                if naks <= NAK_RESENDS:
                    self.stats["resends"] += 1
                    continue
                # Past the free NAK re-sends, a NAK is a failed attempt: re-send at once.
            else:
                self.stats["timeouts" if why == "timeout" else "bad_frames"] += 1
            failures.append(why)
            if len(failures) <= self.retries:
                self.stats["resends"] += 1
        else:
            raise DeviceUnresponsive(self._unresponsive_message(msg_type, seq, timeout, failures, naks))
        self._last_good = f"{p.type_name(msg_type)} seq={seq} -> {p.type_name(reply.type)}"
        self._last_good_at = time.monotonic()
        if reply.type == p.MsgType.ERR:
            raise p.parse_error(reply.payload)
        if reply.type != p.MsgType.OK:
            raise p.ProtocolError(f"{self.where}: unexpected reply type 0x{reply.type:02x}")
        return reply.payload

    def _unresponsive_message(self, msg_type: int, seq: int, timeout: float,
                              failures: list[str], naks: int) -> str:
        counts = collections.Counter(failures)
        why = ", ".join(f"{n}× {reason}" for reason, n in counts.most_common())
        if naks:
            why += f"; {naks} NAKs in all"
        return (f"{self.where}: no valid reply to {p.type_name(msg_type)} seq={seq} after "
                f"{len(failures)} attempts of {timeout:g} s ({why}); last good exchange: {self._last_exchange()}")

    def _last_exchange(self) -> str:
        if self._last_good_at is None:
            return "none since the port was opened (is the board powered, flashed, on this port and baud?)"
        return f"{self._last_good}, {time.monotonic() - self._last_good_at:.1f} s ago"

    def _await_reply(self, seq: int, deadline: float) -> tuple[p.Frame | None, str]:
        while True:
            raw = self.link.receive(deadline)
            if raw is None:
                return None, "timeout"
            try:
                frame = p.decode_frame(raw)
            except p.FrameError as error:
                return None, f"bad frame: {error}"
            if frame.type == p.MsgType.NAK:
                return None, "NAK (device saw a damaged frame)"
            if frame.seq == seq:
                return frame, ""
            # A late reply to an earlier request (or a second answer to a re-send): skip it.

    def hello(self, timeout: float | None = None) -> p.DeviceInfo:
        info, n_inputs, n_outputs = p.parse_hello(self.request(p.MsgType.HELLO, timeout=timeout))
        for count, output, specs in ((n_inputs, False, info.inputs), (n_outputs, True, info.outputs)):
            specs.extend(p.parse_tensor(self.request(p.MsgType.TENSOR, p.tensor_payload(output, i),
                                                     timeout=timeout)) for i in range(count))
        self._info = info
        return info

    def wait_until_ready(self, deadline_s: float = 10.0, poll_s: float = 0.25) -> p.DeviceInfo:
        """Poll HELLO until the device answers (a board or emulator that is still booting)."""
        end = time.monotonic() + deadline_s
        while True:
            try:
                return self.hello(timeout=poll_s)
            except DeviceUnresponsive:
                if time.monotonic() >= end:
                    raise

    @property
    def info(self) -> p.DeviceInfo:
        return self._info if self._info is not None else self.hello()

    def write_input(self, index: int, array: np.ndarray) -> None:
        """Stream a tensor in chunks, as float32 or, for an integer input, int32 (the input's
        TENSOR spec says which); each chunk states the shape the host believes."""
        shape = tuple(int(d) for d in np.shape(array))
        inputs = self.info.inputs
        wire = inputs[index].numpy_dtype if 0 <= index < len(inputs) else "<f4"
        data = _wire_bytes(array, wire, inputs[index].name if 0 <= index < len(inputs) else str(index))
        chunk = (self.info.max_payload - p.write_header_bytes(len(shape))) // 4 * 4
        if self.chunk_bytes:
            chunk = max(4, min(chunk, self.chunk_bytes // 4 * 4))
        for offset in range(0, max(len(data), 1), chunk):
            self.request(p.MsgType.WRITE, p.write_payload(index, shape, offset, data[offset:offset + chunk]))

    def run(self, steps: int = 1, seed: int = 0) -> int:
        """Run one inference; returns the instructions it retired."""
        return p.parse_run(self.request(p.MsgType.RUN, p.run_payload(steps, seed), self.run_timeout))

    def sample(self, seed: int = 0, device_noise: bool = True, steps: int = 1) -> int:
        """Run the image's whole sampler (output 0 then holds the sample): noise from the
        board's generator seeded with `seed`, or (device_noise False) input 0 as written.
        steps scales the wait: a sampler takes as long as that many RUNs."""
        return p.parse_run(self.request(p.MsgType.SAMPLE, p.sample_payload(device_noise, seed),
                                        (self.run_timeout or self.timeout) * max(steps, 1)))

    def read_output(self, index: int) -> np.ndarray:
        outputs = self.info.outputs
        if not 0 <= index < len(outputs):
            raise IndexError(f"output index {index} out of range, model has {len(outputs)}")
        spec = outputs[index]
        data = bytearray()
        while len(data) < spec.nbytes:
            length = min(self.chunk_bytes or self.info.max_payload, self.info.max_payload,
                         spec.nbytes - len(data))
            data += self.request(p.MsgType.READ, p.read_payload(index, len(data), length))
        return np.frombuffer(bytes(data), dtype=spec.numpy_dtype).reshape(spec.shape).copy()

    def run_until(self, last_layer: int) -> int:
        """Run layers 0..last_layer on the inputs written (they stay written); returns the
        instructions retired. Then read_arena() sees that layer's output."""
        return p.parse_run(self.request(p.MsgType.RUN_UNTIL, p.run_until_payload(last_layer), self.run_timeout))

    def read_arena(self, offset: int, nbytes: int) -> bytes:
        """nbytes of the model's arena from byte offset, in frames of at most the max payload."""
        data = bytearray()
        while len(data) < nbytes:
            length = min(self.chunk_bytes or self.info.max_payload, self.info.max_payload, nbytes - len(data))
            data += self.request(p.MsgType.READ_ARENA, p.read_arena_payload(offset + len(data), length))
        return bytes(data)

    def counters(self) -> list[int]:
        """Instructions per layer of the last RUN."""
        counts: list[int] = []
        while True:
            total, _start, chunk = p.parse_counters(self.request(p.MsgType.COUNTERS, p.counters_payload(len(counts))))
            counts += chunk
            if len(counts) >= total or not chunk:
                return counts

    def stack(self) -> p.StackUsage:
        """The stack high-water mark since the board booted or was last RESET (STACK)."""
        version = self.info.protocol_version
        if version < p.STACK_VERSION:
            raise p.ProtocolError(
                f"{self.where}: its firmware speaks protocol version {version}, which cannot report "
                f"the stack high-water mark (STACK, version {p.STACK_VERSION}): rebuild the image "
                "with this sdk and flash it")
        return p.parse_stack(self.request(p.MsgType.STACK))

    def reset(self) -> None:
        self.request(p.MsgType.RESET)


def _wire_bytes(array, wire: str, name: str) -> bytes:
    """The tensor's bytes on the wire. An int32 input takes whole numbers within int32 only:
    a fraction or an overflow would be changed silently by the conversion."""
    values = np.asarray(array)
    if wire == "<i4":
        as_int = values.astype(np.int64) if np.issubdtype(values.dtype, np.integer) else np.rint(values)
        if (not np.all(np.isfinite(values)) or np.any(as_int != values)
                or np.any(np.abs(as_int) > np.iinfo(np.int32).max)):
            raise ValueError(f"input {name} is int32 on the board: give whole numbers within int32")
    return np.ascontiguousarray(values, dtype=wire).tobytes()
