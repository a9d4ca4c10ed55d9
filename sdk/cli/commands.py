"""The `sdk` command: build, flash, validate, bench, ops.

Errors a user can act on (bad model, unsupported op, missing tool, board not answering)
print one clear message and exit with status 2; a failed validation exits with 1.
"""

from __future__ import annotations

import argparse
import contextlib
import math
from pathlib import Path

from rich.console import Console
from rich.table import Table

from codegen.capture import UnsupportedOpError
from sdk.cli.diffusion import register as register_diffusion_commands
from sdk.compile.build import build
from sdk.compile.firmware import BuildFailed
from sdk.compile.manifest import DEFAULT_BUILD_ROOT, build_dir, load_manifest
from sdk.compile.precision import load_policy
from sdk.compile.tiling import parse_tile
from sdk.compile.toolchain import ToolMissing
from sdk.errors import UserError
from sdk.report.outputs import fresh_outputs
from sdk.report.ram import RamReport
from sdk.report.strict_json import write_json
from sdk.runner.emulator import EmulatorFailed
from sdk.runner.protocol import ProtocolError
from sdk.runner.transport import BAUDRATE, open_port
from sdk.target import UnknownTarget, isa_targets, known_targets, load_target

console = Console()
MOBILE_TARGETS = ("onnx", "tflite")  # sdk/mobile: model files for phone runtimes, not firmware
ACTIONABLE = (UserError, UnsupportedOpError, ToolMissing, UnknownTarget, BuildFailed,
              EmulatorFailed, ProtocolError)
MAX_SAMPLES = 100_000  # one board round trip and one report row each: hours on an emulator


def _count(low: int = 1, high: int = MAX_SAMPLES):
    """argparse type for --samples / --n: a whole number from low to high, refused (exit 2)
    before anything is built, started or allocated."""

    def count(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r}: give a whole number from {low} to {high:,}")
        return value

    return count


def _nonfinite(first: dict | None) -> str:
    """Where a NaN/±inf on one side only first showed, and how much (sdk/verify/metrics.py first_nonfinite)."""
    if not first:
        return ""
    where = f"seed {first['seed']}" if "seed" in first else f"sample {first['index']}"
    return (f"{where}, output {first['output']}: {first['elements']:,} elements NaN/inf on one side only "
            f"(device {first['device']:,}, torch {first['torch']:,}); {first['samples']:,} sample(s) with any")


def _board_args(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--emulator", action="store_true", help="start the target's emulated board")
    where.add_argument("--port", help="serial port of a real board (/dev/ttyUSB0, socket://host:port)")


def _kv_table(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, value in rows:
        table.add_row(key, value)
    return table


def _precision_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--precision", choices=["fp32", "fp16", "int8", "auto"],
                        help="weights and activations (default fp32, or the config file's default); "
                             "int8: TFLite's int8 arithmetic (a layer without an int8 form stays "
                             "float, with a warning); auto: each layer FP32 or FP16 to fit --budget")
    parser.add_argument("--precision-config", type=Path,
                        help="TOML file: `default` and per-layer overrides under [layers]")


def _mcu_precision(args) -> None:
    if args.precision == "auto" and not hasattr(args, "budget"):
        raise UserError("--precision auto is an `sdk build` option; to bench an auto build's assignment, "
                        "pass the config it wrote: --precision-config build/<target>/precision.toml")


def cmd_build_mobile(args) -> int:
    from sdk.mobile.export import export

    if args.precision_config:
        raise UserError(f"--precision-config is for MCU targets; --target {args.target} takes --precision")
    if args.precision == "auto" or args.budget:
        raise UserError(f"--precision auto and --budget are for MCU targets; --target {args.target} takes "
                        "--precision fp32, fp16 or int8")
    with console.status(f"exporting {args.model} to {args.target}"):
        card = export(args.model, args.target, args.precision or "fp32", args.build_dir)
    io = [f"{t['name']} {t['dtype']}{t['shape']}" for t in card["inputs"] + card["outputs"]]
    rows = [("model hash", card["model_hash"]), ("file", str(build_dir(args.target, args.build_dir) / card["file"])),
            ("file bytes", f"{card['file_bytes']:,}"), ("inputs → output", ", ".join(io[:-1]) + " → " + io[-1])]
    if card["sampler"]:
        rows.append(("sampler", f"{card['sampler']['kind']}, {card['sampler']['prediction']}-prediction, "
                                f"{card['sampler']['steps']} steps (schedule in the card)"))
    if "int8" in card:
        rows.append(("ops left in float", ", ".join(card["int8"]["float_ops"]) or "none"))
    rows.append(("model card", str(build_dir(args.target, args.build_dir) / "model_card.json")))
    console.print(_kv_table(f"sdk build: {card['model_name']} → {args.target} ({card['precision']})", rows))
    console.print(f"[yellow]note:[/yellow] {card['precision_notes']}", highlight=False)
    if "int8" in card and not card["sampler"] and len(card["inputs"]) > 1:
        console.print("[yellow]warning:[/yellow] every input of this model is quantized to int8, a float "
                      "timestep too (rounded to 1/255 of its range): build a diffusion checkpoint "
                      "(--model student.pt), whose step index stays int32, for int8 (docs/MOBILE.md)")
    return 0


def cmd_build(args) -> int:
    if args.target in MOBILE_TARGETS:
        return cmd_build_mobile(args)
    _mcu_precision(args)
    target = load_target(args.target)  # unknown target: fail before the slow capture
    budget = _budget(args)
    policy = load_policy(None if budget else args.precision, args.precision_config)
    tile = parse_tile(args.tile)
    note = target.fp16_note("fp16" if budget else policy.default)
    if note:
        console.print(f"[yellow]note:[/yellow] {note}")
    key = _signing_key(args, target)
    with console.status(f"building {args.model} for {args.target}") as status:
        m = build(args.model, args.target, args.build_dir, policy, budget=budget,
                  progress=lambda text: status.update(f"building {args.model} for {args.target}: {text}"),
                  signing_key=key, security_counter=args.security_counter, soft_float=args.soft_float,
                  tile=tile)
    if m.auto_precision:
        _print_auto_precision(m)
    from sdk.compile.int8_summary import int8_notes
    for line in int8_notes(m):
        console.print(line, highlight=False)
    console.print(_kv_table(f"sdk build: {m.model_name} → {args.target} ({m.precision})", [
        ("model hash", m.model_hash), ("build id", m.build_id),
        ("layers", str(len(m.layers))), ("MACs per inference", f"{m.total_macs:,}"),
        ("arena bytes", f"{m.arena_bytes:,}"),
        ("  of which kernel scratch (largest layer)", f"{m.scratch_bytes:,}"),
        ("arena lower bound bytes", f"{m.arena_lower_bound_bytes:,}"),
        ("  without in-place norms and concat slices: arena (lower bound)",
         f"{m.arena_baseline_bytes:,} ({m.arena_baseline_lower_bound_bytes:,})"),
        *_tiling_rows(m),
        ("flash bytes (text+rodata+data)", f"{m.flash_bytes:,}"),
        *RamReport.of_build(m).rows(),
        ("image", m.elf),
        *([("signed image", f"{m.image} ({_signed_with(m)})")] if m.image else [])]))
    if m.development_key:
        console.print(f"[yellow]note:[/yellow] signed with the development key {m.signing_key}: fine on a desk, "
                      "not for boards in the field; make a key with `sdk keys generate` and build with "
                      "--signing-key (README, Signed images)", highlight=False)
    return 0


def _signing_key(args, target):
    """--signing-key FILE (None: the development key) and --security-counter, checked before the build."""
    from sdk.runner.image import MAX_SECURITY_COUNTER
    from sdk.sign.keys import load_private

    if not 0 <= args.security_counter <= MAX_SECURITY_COUNTER:
        raise UserError(f"--security-counter {args.security_counter}: a number from 0 to {MAX_SECURITY_COUNTER}")
    if target.bootloader is None and (args.signing_key or args.security_counter):
        raise UserError(f"target {target.name} has no bootloader, so its image is not signed: "
                        "drop --signing-key and --security-counter")
    return load_private(args.signing_key) if args.signing_key else None


def _signed_with(m) -> str:
    from sdk.runner.flash import app_image, signed_with

    return signed_with(app_image(m))


def cmd_keys(args) -> int:
    """`sdk keys generate`: a new Ed25519 key pair for signing images."""
    from sdk.sign.keys import generate

    key = generate(args.output)
    console.print(_kv_table("sdk keys generate", [
        ("private key (mode 0600: keep it off the board and out of git)", str(key.path)),
        ("public key", str(key.path.with_name("signing-key.pub.pem"))),
        ("key id", key.key_id.hex())]))
    console.print("build with `sdk build ... --signing-key " + str(key.path) + "`; docs/RELIABILITY.md "
                  "says how to keep it and docs/HARDWARE.md how a board gets the bootloader trusting it",
                  highlight=False)
    return 0


def _tiling_rows(m) -> list[tuple[str, str]]:
    """A tiled build's bands, halo and arena before and after (sdk/compile/tiling.py)."""
    t = m.tiling
    if not t:
        return []
    return [("tiled stage", f"{len(t['nodes'])} layers ({t['nodes'][0]} … {t['nodes'][-1]}): {t['bands']} bands "
                            f"of {t['band_rows']} rows, halo {t['halo']} rows (carried, not recomputed)"),
            ("  arena untiled → tiled", f"{t['arena_untiled_bytes']:,} → {t['arena_bytes']:,}")]


def _budget(args):
    """--precision auto needs --budget, and --budget needs auto."""
    from sdk.compile.auto_precision import Budget

    if args.budget is None:
        if args.precision == "auto":
            raise UserError("--precision auto needs --budget ram=SIZE,flash=SIZE,instructions=COUNT (e.g. --budget "
                            "ram=96K,flash=512K, or instructions=20M)")
        return None
    if args.precision != "auto":
        raise UserError("--budget is for --precision auto (each layer's precision chosen to fit it)")
    if args.precision_config:
        raise UserError("--precision auto chooses every layer: drop --precision-config (or drop auto "
                        "and pass the config auto wrote, build/<target>/precision.toml)")
    return Budget.parse(args.budget)


def _print_auto_precision(m) -> None:
    auto = m.auto_precision
    def listed(names):
        return f"{len(names)} of {auto['candidates']}" + (
            f": {', '.join(names[:12])}" + (" …" if len(names) > 12 else "") if names else "")

    rows = [("budget", auto["budget"]),
            ("image: flash / RAM (static + stack reserved)", f"{auto['flash_bytes']:,} / {auto['ram_bytes']:,} B"),
            *([("instructions per model call (emulator)", f"{auto['instructions']:,}")]
              if auto.get("instructions") is not None else []),
            ("layers in FP16", listed(auto["fp16_layers"])),
            ("layers in int8", listed(auto.get("int8_layers", []))),
            ("output error / scale, predicted (RMS, from sensitivities)", f"{auto['predicted_rel_error']:.2e}"),
            ("output error / scale, measured on the host (RMS)", f"{auto['measured_rel_error']:.2e}"),
            ("assignment written to", str(m.directory / "precision.toml"))]
    console.print(_kv_table(f"--precision auto: {m.model_name} on {m.target}", rows))


def cmd_flash(args) -> int:
    """Write the built app into the board's flash through its serial bootloader, then boot it."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    from sdk.runner.board_files import board_dir, start_board
    from sdk.runner.flash import app_image, flash_app, open_link, signed_with, trusted_key
    from sdk.runner.flasher import Flasher
    from sdk.runner.client import DeviceClient

    manifest = load_manifest(args.target, args.build_dir)
    target = load_target(args.target)
    if target.bootloader is None:
        flashing = (target.board or {}).get("flashing")
        raise UserError(f"target {target.name} has no serial bootloader (it runs the built program "
                        f"directly): use `{manifest.command('validate')} --emulator`"
                        + (f"; on the real board, {flashing}" if flashing else ""))
    image = app_image(manifest)
    with contextlib.ExitStack() as stack:
        port, board = args.port, None
        if args.emulator:
            with console.status(f"powering up the emulated {target.name} board in its bootloader"):
                board = stack.enter_context(start_board(target, manifest.directory,
                                                        public_key=trusted_key(manifest), paused=True))
                port = board.port
        client = stack.enter_context(DeviceClient(open_link(port, args.baud, args.emulator), timeout=5.0))
        if args.emulator or args.recover:
            # Just powered up (or reset by the user): catch the bootloader before any app runs.
            with console.status("catching the bootloader's recovery window" + ("" if args.emulator else
                                                                               ": reset the board now")):
                Flasher(client).recover(resume=board.resume if board is not None else None)
        with console.status("waiting for the board to answer"):
            before = client.wait_until_ready(deadline_s=15.0)
        console.print(f"board on {client.port_name}: "
                      + ("bootloader" if before.model_hash == "bootloader" else f"app build {before.build_id}")
                      + f"; flashing build {image.build_id} ({len(image.body):,} bytes, {signed_with(image)})")
        columns = ("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                   TransferSpeedColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=False) as bar:
            task = bar.add_task("flash", total=len(image.body))
            report = flash_app(client, image, progress=lambda done, total: bar.update(task, completed=done),
                               on_resume=lambda e: console.print(f"[yellow]link broke ({e}); resuming"))
        info = client.hello()
    baud = f"{args.baud:,} (paced)" if args.emulator and args.baud else (
        f"{args.baud or 115200:,}" if args.port else "unpaced (emulator pty)")
    console.print(_kv_table(f"sdk flash: {manifest.model_name} → {target.name} ({client.port_name})", [
        ("image bytes (body + header)", f"{report.image_bytes:,}"),
        ("programmed bytes", f"{report.programmed_bytes:,}"),
        ("already on the board (skipped)", f"{report.skipped_bytes:,}"),
        ("sectors erased", str(report.erased_sectors)),
        ("time", f"{report.seconds:.2f} s"),
        ("bytes/s", f"{report.bytes_per_second:,.0f}"),
        ("baud", baud),
        ("signature", signed_with(image)),
        ("booted build", report.build_id)]))
    if report.already_current:
        console.print("the board already held this image: nothing written")
    console.print(f"[green]board {client.port_name} runs build {info.build_id} "
                  f"(model {info.model_hash}, target {info.target}, arena {info.arena_bytes:,} B)")
    if args.emulator and target.bootloader.persistent:
        console.print(f"board state kept in {board_dir(manifest.directory)}; "
                      f"`{manifest.command('validate')} --emulator` boots it from there")
    elif args.emulator:
        console.print(f"the emulated {target.name} has no persistent flash: `sdk validate --emulator` "
                      "flashes it again in its own session")
    return 0


def _print_validation(report) -> None:
    console.print(_kv_table(f"sdk validate: {report.model_name} ({report.precision}) on {report.target} "
                            f"({report.samples} samples, port {report.port})", [
        ("max abs error", f"{report.max_abs_error:.3e}"),
        ("mean abs error", f"{report.mean_abs_error:.3e}"),
        ("max error / output scale", f"{report.max_rel_error:.3e} " + (
            "(int8: quantisation error, not a limit)" if getattr(report, "int8_reference", None)
            else f"(limit {report.tolerance_rel:.1e})")),
        *_int8_rows(getattr(report, "int8_reference", None)),
        ("PSNR vs torch (worst sample)",
         "inf" if math.isinf(report.min_psnr_db) else f"{report.min_psnr_db:.1f} dB"),
        *([("non-finite values", f"[red]{_nonfinite(report.first_nonfinite)}")] if report.first_nonfinite else []),
        (f"{report.counter_unit} per inference", f"{report.instructions_per_inference:,}"),
        *_memory_rows(report),
        *_sampler_rows(report.sampler),
        ("result", "[green]PASS" if report.passed else "[red]FAIL")]))


def _int8_rows(check: dict | None) -> list[tuple[str, str]]:
    if not check:
        return []
    if check["passed"]:
        return [("board vs numpy int8 reference", "[green]equal, every element of every sample")]
    first = check["first_mismatch"]
    return [("board vs numpy int8 reference",
             f"[red]{check['mismatched_elements']:,} elements differ in {check['samples_mismatched']} sample(s); "
             f"first: sample {first['index']}, element {first['element']}: board {first['board']:.6g}, "
             f"reference {first['reference']:.6g}")]


def _memory_rows(report) -> list[tuple[str, str]]:
    if report.target in MOBILE_TARGETS:  # a model file: no arena or RAM of ours to report
        return [("model file bytes", f"{report.flash_bytes:,}")]
    return [("MACs per inference", f"{report.macs_per_inference:,}"),
            ("arena bytes (lower bound)", f"{report.arena_bytes:,} ({report.arena_lower_bound_bytes:,})"),
            ("flash bytes", f"{report.flash_bytes:,}"),
            *RamReport.from_dict(report.ram).rows()]


def _sampler_rows(check: dict | None) -> list[tuple[str, str]]:
    if not check:
        return []
    where = check.get("where", "on-board sampler")
    rows = [(f"{where} ({check['kind']}, {check['steps']} steps, {check['samples']} images)",
             f"max |{'app loop - torch' if 'where' in check else 'board - host'}| {check['max_abs_error']:.2e} "
             + ("(int8: quantisation error, not a limit)" if "int8_mismatched_elements" in check
                else f"(limit ≥ {check['tolerance_min']:.1e})")),
            (f"{check['counter_unit']} per image", f"{check['instructions_per_image']:,}")]
    if "int8_mismatched_elements" in check:
        differ = check["int8_mismatched_elements"]
        rows.insert(1, ("board samples vs numpy int8 sampler",
                        "equal, every element of every sample" if not differ else f"[red]{differ:,} elements differ"))
    if check.get("first_nonfinite"):
        rows.append((f"non-finite values ({where})", f"[red]{_nonfinite(check['first_nonfinite'])}"))
    if "fd_runtime" in check:
        rows.append((f"FD (N={check['samples']}, same noise)",
                     f"{check['fd_runtime']:.3f} runtime vs {check['fd_torch']:.3f} torch"))
    return rows


def cmd_validate(args) -> int:
    from sdk.runner.board import open_board
    from sdk.models import load_model
    from sdk.report.plots import save_validation_grid
    from sdk.verify.validate import validate

    if args.layers and (args.boards or args.target in MOBILE_TARGETS):
        raise UserError("--layers reads the layers of one board: use it with --target <mcu target> "
                        "and --emulator or --port")
    if args.boards:
        return cmd_validate_farm(args)
    if args.target in MOBILE_TARGETS:
        return cmd_validate_mobile(args)
    if not args.target or not (args.emulator or args.port):
        raise UserError("sdk validate needs --target with --emulator or --port (or --boards FILE)")
    if args.layers:
        return cmd_validate_layers(args)
    manifest = load_manifest(args.target, args.build_dir)
    out = build_dir(args.target, args.build_dir)
    json_path, png_path = Path(args.json or out / "validate.json"), Path(args.png or out / "validate.png")
    with fresh_outputs(json_path, png_path):
        port = args.port
        if port and args.baud != BAUDRATE:
            port = open_port(port, 5.0, args.baud)
        with open_board(manifest, args.emulator, port, via_bootloader=True,
                        on_flash=lambda why: console.print(f"[yellow]{why}")) as client:
            report, records = validate(manifest, client, args.samples, args.seed)
        _print_validation(report)
        # a diffusion build's picture shows the clean digit behind each output (its sampler's x̂0)
        sampler = load_model(manifest.model).sampler if manifest.sampler else None
        png = save_validation_grid(records, png_path, sampler=sampler)
        write_json(json_path, report.to_dict())  # last: marks a whole run
    console.print(f"report: {json_path}" + (f", picture: {png}" if png else ""))
    return 0 if report.passed else 1


def cmd_validate_layers(args) -> int:
    """Every layer's output on the board against the lowered graph (sdk/verify/layers.py)."""
    from sdk.cli.layers import layer_table
    from sdk.report.layer_plot import save_layer_plot
    from sdk.runner.board import open_board
    from sdk.verify.layers import describe_failure, validate_layers

    manifest = load_manifest(args.target, args.build_dir)
    out = build_dir(args.target, args.build_dir)
    json_path, png_path = Path(args.json or out / "layers.json"), Path(args.png or out / "layers.png")
    with fresh_outputs(json_path, png_path):
        port = args.port
        if port and args.baud != BAUDRATE:
            port = open_port(port, 5.0, args.baud)
        with open_board(manifest, args.emulator, port, via_bootloader=True,
                        on_flash=lambda why: console.print(f"[yellow]{why}")) as client:
            report = validate_layers(manifest, client, args.seed)
        console.print(layer_table(report))
        failure = describe_failure(report.first_failure)
        console.print(f"[red]{failure}" if report.first_failure else f"[green]{failure}", highlight=False)
        for note in report.notes:
            console.print(f"[yellow]{note}", highlight=False)
        save_layer_plot(report.rows, png_path, f"{report.model_name} ({report.precision}) on {report.target}: "
                                               f"per-layer error ÷ derived limit (seed {report.seed})")
        write_json(json_path, report.to_dict())  # last: marks a whole run
    console.print(f"report: {json_path}, plot: {png_path}")
    console.print("result: " + ("[green]PASS" if report.passed else "[red]FAIL"))
    return 0 if report.passed else 1


def cmd_validate_mobile(args) -> int:
    """The exported file in onnxruntime / LiteRT vs torch (sdk/mobile/validate.py)."""
    from sdk.mobile.validate import validate_export
    from sdk.report.plots import save_validation_grid

    if args.emulator or args.port:
        raise UserError(f"--target {args.target} runs on this host's {args.target} runtime: "
                        "drop --emulator/--port")
    with console.status(f"validating the {args.target} export"):
        result = validate_export(args.target, args.build_dir, args.samples, args.seed, args.quality_samples)
    _print_validation(result.report)
    micro = result.extra.get("tflite_micro")
    if micro:
        steps = [micro[f"max_abs_error_{k}_kernels"] / micro["output_step"] for k in ("reference", "default")]
        console.print(f"TFLite Micro vs LiteRT: {steps[0]:.0f} output steps from its reference kernels ("
                      + ("[green]identical[/green]" if micro["passed"] else "[red]differ[/red]")
                      + f"), {steps[1]:.0f} from its default (XNNPack) kernels")
    out = build_dir(args.target, args.build_dir)
    json_path = Path(args.json or out / "validate.json")
    write_json(json_path, {**result.report.to_dict(), **result.extra})
    png = save_validation_grid(result.records, Path(args.png or out / "validate.png"))
    console.print(f"report: {json_path}" + (f", picture: {png}" if png else ""))
    return 0 if result.report.passed else 1


def cmd_generate(args) -> int:
    """Samples made on the board by its own sampler, as a PNG grid (and .npy)."""
    from sdk.runner.board import open_board
    from sdk.target import counter_unit
    from sdk.verify.generate import generate, require_sampler, save_samples

    manifest = load_manifest(args.target, args.build_dir)
    require_sampler(manifest)
    steps = manifest.sampler["steps"]
    png = Path(args.png or build_dir(args.target, args.build_dir) / "samples.png")
    with fresh_outputs(png, png.with_suffix(".npy")):
        with open_board(manifest, not args.port, args.port, via_bootloader=True,
                        on_flash=lambda why: console.print(f"[yellow]{why}")) as client:
            generated = generate(manifest, client, args.n, args.seed)
        save_samples(generated, png)
    console.print(_kv_table(f"sdk generate: {manifest.model_name} ({manifest.precision}) on {args.target}", [
        ("sampler", f"{manifest.sampler['kind']}, {manifest.sampler['prediction']}-prediction, {steps} steps"),
        ("images (seeds)", f"{args.n} ({args.seed}..{args.seed + args.n - 1}, on-board noise)"),
        (f"{counter_unit(args.target)} per image", f"{generated.instructions_per_image:,}"),
        ("max |board − host sampler|", f"{generated.max_abs_error:.2e} {_nonfinite(generated.first_nonfinite)}"),
        ("grid", str(png))]))
    if not generated.passed:
        console.print("[red]the board made NaN/inf values where the host sampler has numbers (or the "
                      "reverse): the grid is not what the model draws; find the layer with `sdk validate`"
                      " and build in fp32 or keep that layer in fp32 (--precision-config)", highlight=False)
    return 0 if generated.passed else 1


def cmd_validate_farm(args) -> int:
    """Every board of a board map at once; one merged table and JSON report."""
    from sdk.runner.boardmap import load_board_map
    from sdk.runner.farm import validate_farm, write_farm_report

    boards = load_board_map(args.boards)
    if args.target:
        boards = [b for b in boards if b.target == args.target]
        if not boards:
            raise UserError(f"{args.boards} names no board with target {args.target}")
    with console.status(f"validating on {len(boards)} boards in parallel"):
        rows = validate_farm(boards, args.build_dir, args.samples, args.seed)
    table = Table(title=f"sdk validate: {len(boards)} boards from {args.boards} ({args.samples} samples each)")
    for col in ("board", "target", "reached by", "port", "max error / scale", "instructions", "result"):
        table.add_column(col, justify="right" if col in ("max error / scale", "instructions") else "left")
    for row in rows:
        r = row.report
        table.add_row(row.board, row.target, row.how, row.port,
                      f"{r['max_rel_error']:.2e}" if r else "-",
                      f"{r['instructions_per_inference']:,}" if r else "-",
                      "[green]PASS" if row.passed else f"[red]FAIL[/red] {row.error or _nonfinite((r or {}).get('first_nonfinite'))}")
    console.print(table)
    json_path = Path(args.json or Path(args.build_dir) / "farm-validate.json")
    write_farm_report(json_path, args.boards, args.samples, args.seed, rows)
    console.print(f"report: {json_path}")
    return 0 if all(r.passed for r in rows) else 1


def cmd_devices(args) -> int:
    """Serial ports on this host, and the boards of a board map with where each is now."""
    from serial.tools import list_ports

    from sdk.runner.boardmap import find_port_by_serial, load_board_map

    ports = sorted(list_ports.comports(), key=lambda info: info.device)
    table = Table(title=f"serial ports on this host ({len(ports)})")
    for col in ("port", "description", "serial number", "USB VID:PID"):
        table.add_column(col)
    for info in ports:
        vid_pid = f"{info.vid:04x}:{info.pid:04x}" if info.vid is not None else "-"
        table.add_row(info.device, info.description or "-", info.serial_number or "-", vid_pid)
    console.print(table)
    if args.boards:
        boards = load_board_map(args.boards)
        table = Table(title=f"boards in {args.boards} ({len(boards)})")
        for col in ("board", "target", "reached by", "status"):
            table.add_column(col)
        for board in boards:
            if board.serial_number:
                device = find_port_by_serial(board.serial_number)
                status = f"[green]on {device}" if device else "[red]not connected"
            elif board.port and board.port.startswith("/dev/"):
                status = "[green]present" if Path(board.port).exists() else f"[red]{board.port} missing"
            else:
                status = "checked when used"
            table.add_row(board.name, board.target, board.how, status)
        console.print(table)
    return 0


def _print_bench(result) -> None:
    table = Table(title=f"sdk bench: {result.model_name} on {result.target} "
                        f"({result.precision}, {result.kernels} kernels)")
    # kernel: the function that ran the layer (its name starts with the op's)
    for col in ("#", "layer", "kernel", "MACs", "instructions", "MAC/instr"):
        table.add_column(col, justify="left" if col in ("layer", "kernel") else "right",
                         no_wrap=col == "kernel", min_width=len("conv2d_f16_fpu") if col == "kernel" else None)
    for i, layer in enumerate(result.layers):
        table.add_row(str(i), layer["name"], layer.get("function", layer["op"]),
                      f"{layer['macs']:,}", f"{layer['instructions']:,}",
                      f"{layer['macs_per_instruction']:.3f}")
    table.add_row("", "total", "", f"{result.macs:,}", f"{result.instructions:,}",
                  f"{result.macs_per_instruction:.3f}", style="bold")
    console.print(table)
    console.print(f"arena {result.arena_bytes:,} B (lower bound {result.arena_lower_bound_bytes:,}), "
                  f"flash {result.flash_bytes:,} B, "
                  f"max rel. error vs torch {result.max_rel_error:.1e}"
                  + (f" ({result.nonfinite_elements:,} output elements NaN/inf where torch is finite, "
                     "or the reverse)" if result.nonfinite_elements else ""))
    console.print(RamReport.from_dict(result.ram).line())
    if result.instructions_per_image is not None:
        console.print(f"one image with the on-board sampler: {result.instructions_per_image:,} "
                      "instructions (all steps, update included)")


def cmd_ops(args) -> int:
    """The supported torch ops and modules (sdk/report/ops_doc.py), as a table or markdown."""
    from sdk.report.ops_doc import render_markdown, supported_ops

    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(render_markdown())
        console.print(f"wrote {args.output}")
        return 0
    if args.markdown:
        print(render_markdown(), end="")
        return 0
    table = Table(title="ops EdgeDiff lowers (sdk ops --markdown: with ATen names and the export artefacts)")
    for column in ("torch", "precisions", "optimised on"):
        table.add_column(column)
    for row in supported_ops():
        table.add_row("\n".join(row.torch), row.precisions, row.optimised)
    console.print(table)
    return 0


def cmd_targets(args) -> int:
    """Every target and board profile: ISA, RAM, flash and what the emulator stands in for."""
    table = Table(title="sdk targets (board profiles extend a target with a real chip's memory)")
    for column in ("target", "board", "ISA features", "RAM", "flash", "runs on"):
        # names and sizes never wrap or shorten, whatever the terminal's width
        table.add_column(column, justify="right" if column in ("RAM", "flash") else "left",
                         no_wrap=column in ("target", "RAM", "flash"))
    for name in known_targets():
        target = load_target(name)
        regions = target.regions()
        ram = [f"{r['length'] // 1024:,} KiB" + (f" {k}" if len(regions) > 2 else "")
               for k, r in regions.items() if k not in ("flash", "itcm")]
        code = [f"{r['length'] // 1024:,} KiB" + (f" {k}" if k != "flash" else "")
                for k, r in regions.items() if k in ("flash", "itcm")]
        board = f"{target.board['name']} ({target.board['chip']})" if target.board else "—"
        argv = target.emulator_command
        runs = f"QEMU {argv[argv.index('-machine') + 1]}" if "-machine" in argv else "this host"
        if target.board:
            runs += f", as {target.base} with the chip's memory"
        features = " ".join(target.isa_features) + (" (no FPU: int8, or --soft-float)" if target.integer_only else "")
        table.add_row(name, board, features, "\n".join(ram) or "—",
                      "\n".join(code) or "—", runs)
    console.print(table)
    return 0


def cmd_bench(args) -> int:
    from sdk.report.bench import bench, bench_matrix
    from sdk.report.bench_doc import write_docs

    if args.matrix:
        targets = [load_target(t) for t in isa_targets()]
        targets = [t for t in targets if t.counter_deterministic]
        with console.status("benchmarking every example model on every emulated target, "
                            "then the single-op models (reference and SIMD kernels)"):
            results = bench_matrix(args.build_dir, targets, on_result=_print_bench)
        output, kernels_doc = write_docs(results, Path(args.output or "docs/BENCHMARKS.md"))
        console.print(f"wrote {output} and {kernels_doc}")
        payload = [r.to_dict() for r in results]
    elif args.target and set(args.target.split(",")) <= set(MOBILE_TARGETS):
        return cmd_bench_mobile(args)
    else:
        if not args.target or not args.model:
            raise UserError("sdk bench needs --target and --model (or --matrix)")
        _mcu_precision(args)
        with console.status(f"bench {args.model} on {args.target}"):
            result = bench(args.model, args.target, args.build_dir,
                           load_policy(args.precision, args.precision_config), args.reference_kernels)
        _print_bench(result)
        payload = result.to_dict()
    if args.json:
        write_json(args.json, payload)
    return 0


def cmd_bench_mobile(args) -> int:
    """Latency per step of the exported files and of our host C (sdk/mobile/bench.py)."""
    from sdk.mobile.bench import bench_mobile, render

    if not args.model:
        raise UserError("sdk bench --target onnx|tflite needs --model")
    targets = args.target.split(",")
    with console.status(f"timing {args.model} on {', '.join(targets)} and the host C build"):
        rows = bench_mobile(args.model, targets, [args.precision] if args.precision else None, args.build_dir)
    table = Table(title=f"sdk bench: {args.model}, one step on the host CPU (1 thread, median of 50)")
    for col in ("engine", "precision", "file bytes", "median µs", "min–max µs", "error / scale"):
        table.add_column(col, justify="left" if col in ("engine", "precision") else "right")
    for r in rows:
        table.add_row(r.engine, r.precision, f"{r.file_bytes:,}", f"{r.median_us:,.0f}",
                      f"{r.min_us:,.0f}–{r.max_us:,.0f}", f"{r.max_rel_error:.1e}")
    console.print(table)
    if args.output:
        command = " ".join(["sdk bench", f"--target {args.target}", f"--model {args.model}",
                            *([f"--precision {args.precision}"] if args.precision else []), f"--output {args.output}"])
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(render(args.model, rows, command))
        console.print(f"wrote {args.output}")
    if args.json:
        write_json(args.json, [r.to_dict() for r in rows])
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sdk", description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_ROOT,
                        help="where builds go (default: build/)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="compile a model to C and firmware for a target")
    p.add_argument("--target", required=True,
                   help=f"one of: {', '.join(known_targets())}; onnx or tflite for phone runtimes")
    p.add_argument("--model", required=True, help="a zoo name (unet, dncnn) or a .py file "
                   "defining `model` and `example_input`")
    _precision_args(p)
    p.add_argument("--soft-float", action="store_true",
                   help="on a target without an FPU (fe310, hifive1-revb): allow FP32/FP16 layers, run with "
                        "the compiler's soft-float routines (slow); without it such a target takes --precision int8")
    p.add_argument("--budget", help="with --precision auto: ram=SIZE,flash=SIZE the image must fit "
                   "(K = 1024 bytes; RAM = .data + .bss + the reserved stack), instructions=COUNT one model "
                   "call may take on the emulated board (K = 1000, M = 10^6; counted as sdk bench counts)")
    p.add_argument("--signing-key", type=Path, help="Ed25519 private key file (PEM, from `sdk keys generate`) "
                   "that signs the image; default: this project's development key, .edgediff/dev-signing-key.pem, "
                   "made on first use (not for boards in the field)")
    p.add_argument("--security-counter", type=int, default=0,
                   help="rollback protection: the image's counter (0 to 2^32-1, default 0); a board's bootloader "
                        "refuses an image below the highest counter it has booted")
    p.add_argument("--tile", default="auto",
                   help="run the fully convolutional stage in horizontal bands: rows=N output rows per "
                        "band, auto (default: only when the untiled image does not fit the board's RAM) "
                        "or off")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("keys", help="make an Ed25519 key pair that signs images")
    keys = p.add_subparsers(dest="keys_command", required=True)
    k = keys.add_parser("generate", help="a new key pair: signing-key.pem (private, 0600) and signing-key.pub.pem")
    k.add_argument("--output", type=Path, default=Path("keys"), help="directory for the two files (default keys/)")
    k.set_defaults(func=cmd_keys)

    p = sub.add_parser("flash", help="write the built image through the board's serial bootloader and boot it")
    p.add_argument("--target", required=True)
    _board_args(p)
    p.add_argument("--baud", type=int, help="UART baud rate; with --emulator, pace the pty to it "
                   "(default: the board's 115200, or unpaced on the emulator)")
    p.add_argument("--recover", action="store_true",
                   help="the board's app hangs: reset the board now, and the flasher takes it over in its "
                        "bootloader's recovery window (--emulator always does this at power-up)")
    p.set_defaults(func=cmd_flash)

    p = sub.add_parser("validate", help="stream inputs to the board and compare with torch")
    p.add_argument("--target", help="the build to validate (with --boards: only that target's boards)")
    where = p.add_mutually_exclusive_group()  # one of them unless --target onnx|tflite
    where.add_argument("--emulator", action="store_true", help="start the target's emulated board")
    where.add_argument("--port", help="serial port of a real board (/dev/ttyUSB0, socket://host:port)")
    where.add_argument("--boards", type=Path,
                       help="board map (TOML): validate on all its boards in parallel, one merged report")
    p.add_argument("--baud", type=int, default=BAUDRATE,
                   help=f"with --port: the board's UART baud rate (default {BAUDRATE})")
    p.add_argument("--samples", type=_count(), default=16, help=f"validation inputs (1 to {MAX_SAMPLES:,})")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="report path (default build/<target>/validate.json, "
                   "with --boards build/farm-validate.json)")
    p.add_argument("--png", help="picture path (default build/<target>/validate.png)")
    p.add_argument("--quality-samples", type=_count(0), default=64,
                   help="--target onnx|tflite with a diffusion checkpoint: images sampled through the "
                        "runtime for the FD check (0: skip)")
    p.add_argument("--layers", action="store_true",
                   help="read every layer's output back from the board (one sample, --seed), compare "
                        "each with the lowered graph and name the first out of its tolerance; "
                        "writes build/<target>/layers.json and layers.png")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("generate", help="make samples on the board with its own sampler (PNG grid)")
    p.add_argument("--target", required=True)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--emulator", action="store_true", help="the target's emulated board (default)")
    where.add_argument("--port", help="serial port of a real board (/dev/ttyUSB0, socket://host:port)")
    p.add_argument("--n", type=_count(), default=16, help=f"number of images (1 to {MAX_SAMPLES:,})")
    p.add_argument("--seed", type=int, default=0, help="noise seed of the first image (+1 per image)")
    p.add_argument("--png", help="grid path (default build/<target>/samples.png; the samples also as .npy)")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("devices", help="list serial ports and the boards a board map names")
    p.add_argument("--boards", type=Path, help="board map (TOML), e.g. boards.toml")
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("targets", help="every target and board: ISA, RAM, flash, and the emulator it runs on")
    p.set_defaults(func=cmd_targets)

    p = sub.add_parser("ops", help="the torch ops and modules a model may use, their precisions, "
                       "and the targets with optimised kernels")
    p.add_argument("--markdown", action="store_true", help="print markdown (docs/OPS.md) instead of a table")
    p.add_argument("--output", help="write the markdown to this file (e.g. docs/OPS.md)")
    p.set_defaults(func=cmd_ops)

    p = sub.add_parser("bench", help="instructions per inference and per layer on the emulator")
    p.add_argument("--target")
    p.add_argument("--model")
    p.add_argument("--matrix", action="store_true",
                   help="all example models × emulated targets × precisions, and the single-op "
                   "models with reference and SIMD kernels; writes --output")
    p.add_argument("--reference-kernels", action="store_true",
                   help="use only the portable kernels (the baseline for speed-ups)")
    _precision_args(p)
    p.add_argument("--output", help="markdown report: with --matrix default docs/BENCHMARKS.md; "
                   "with --target onnx|tflite (comma list allowed) e.g. docs/MOBILE_BENCHMARKS.md")
    p.add_argument("--json", help="also write the results as JSON")
    p.set_defaults(func=cmd_bench)
    register_diffusion_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except ACTIONABLE as e:
        # soft_wrap: a multi-line message (the unsupported-op table) keeps its own lines
        console.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=isinstance(e, UnsupportedOpError))
        _print_notes(e)
        return 2
    except KeyboardInterrupt as e:  # context managers have stopped the board; reports are not written
        console.print(f"[red]interrupted[/red] (Ctrl-C): sdk {args.command} stopped before finishing "
                      "(no emulator left running, no report written); run it again", highlight=False)
        _print_notes(e)
        return 130


def _print_notes(e: BaseException) -> None:
    """What was left as it was (e.g. sdk/compile/staging.py: "the previous build in build/rv32 is unchanged")."""
    for note in getattr(e, "__notes__", ()):
        console.print(note, highlight=False)

