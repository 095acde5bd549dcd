"""`python -m pipelines`: the one command line for everything that writes."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.config import CONFIG_ENV, DATA_DIR_ENV, SAMPLE_DIR, DataPaths, Settings, SettingsError

app = typer.Typer(
    help="Tenure: load HR and helpdesk exports, build the warehouse, train the models.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


class State:
    settings: Settings
    paths: DataPaths


state = State()


@app.callback()
def main(
    data_dir: Annotated[
        Optional[Path],
        typer.Option("--data-dir", envvar=DATA_DIR_ENV, help="Where the lake and the warehouse live."),
    ] = None,
    config: Annotated[
        Optional[Path],
        typer.Option("--config", envvar=CONFIG_ENV, help="TOML settings merged over the defaults."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step.")] = False,
) -> None:
    from pipelines.config import data_paths, load_settings

    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        state.settings = load_settings(config)
    except SettingsError as err:
        console.print(f"[red]Settings:[/red] {escape(str(err))}")
        raise typer.Exit(2) from None
    state.paths = data_paths(data_dir)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


class _Reporter:
    """Adapts the pipelines' progress callback (step, done, total) to rich bars, one per step."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, int] = {}

    def __call__(self, step: str, done: float, total: float | None = None) -> None:
        if step not in self.tasks:
            self.tasks[step] = self.progress.add_task(step, total=total)
        self.progress.update(self.tasks[step], completed=done, total=total)


@app.command()
def sample(
    out: Annotated[Path, typer.Option(help="Folder to write the organisation to.")] = SAMPLE_DIR,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same bytes.")] = 3,
    people: Annotated[int, typer.Option(help="People ever employed in support.")] = 750,
    years: Annotated[int, typer.Option(help="Years of history.")] = 6,
) -> None:
    """Generate a realistic support organisation in vendor export formats."""
    from pipelines.sample import generate_sample

    with _progress() as progress:
        summary = generate_sample(out, seed=seed, people=people, years=years, progress=_Reporter(progress))
    table = Table(title=f"Sample organisation in {out}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in summary.items():
        table.add_row(key, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)


def _short(file: str) -> str:
    """A file as the user named it: relative to the working directory when inside it."""
    try:
        return str(Path(file).resolve().relative_to(Path.cwd()))
    except ValueError:
        return file


def _print_ingest(report) -> None:  # noqa: ANN001 - IngestReport
    table = Table(title="Reconciliation: rows read = loaded + rejected")
    for col in ("file", "format", "read", "loaded", "rejected", "superseded", "status"):
        numeric = col in {"read", "loaded", "rejected", "superseded"}
        # names wrap rather than being cut to "data/sampl…" on an 80-column terminal
        table.add_column(col, justify="right" if numeric else "left", overflow="fold", no_wrap=numeric)
    for f in report.files:
        table.add_row(
            _short(f.file),
            f.format,
            f"{f.rows_read:,}",
            f"{f.rows_loaded:,}",
            f"{f.rows_rejected:,}",
            f"{f.rows_superseded:,}",
            f.status,
        )
    console.print(table)
    for f in report.files:
        if f.message:
            console.print(f"[yellow]{escape(_short(f.file))}[/yellow]: {escape(f.message)}")


def _ingest(paths: list[Path], as_json: bool) -> None:
    from pipelines.ingest import IngestError, ingest_paths

    try:
        with _progress() as progress:
            report = ingest_paths(paths, state.settings, state.paths, progress=_Reporter(progress))
    except IngestError as err:
        console.print(f"[red]Not ingested:[/red] {escape(str(err))}")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        _print_ingest(report)
    if report.failed:
        raise typer.Exit(1)


def _build() -> None:
    from pipelines.warehouse import build_warehouse

    with _progress() as progress:
        report = build_warehouse(state.settings, state.paths, progress=_Reporter(progress))
    console.print(f"Warehouse built: {state.paths.warehouse} ({report.describe()})")


ORACLE_HELP = (
    "A generated organisation's truth/person_months.csv: its planted hazards are backtested beside "
    "the models as the oracle (shown in the model card). Only for generated data."
)


def _train(oracle: Path | None = None) -> None:
    from pipelines.train import train_warehouse

    truth = None
    if oracle is not None:
        from pipelines.models.evaluate import truth_oracle

        if not oracle.is_file():
            console.print(f"[red]No oracle file at {escape(str(oracle))}[/red]: give a truth/person_months.csv.")
            raise typer.Exit(2)
        truth = truth_oracle(oracle)
    with console.status("Training and backtesting the attrition-risk model"):
        report = train_warehouse(state.settings, state.paths, truth)
    console.print(f"Model trained: {report.describe()}")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders; formats are detected.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Validate exports and add them to the immutable lake."""
    _ingest(paths, as_json)


@app.command()
def build() -> None:
    """Rebuild the warehouse from the lake and swap it in atomically."""
    _build()


@app.command()
def train(oracle: Annotated[Optional[Path], typer.Option(help=ORACLE_HELP)] = None) -> None:
    """Fit and backtest the attrition-risk model on the warehouse and score everyone."""
    if not state.paths.warehouse.exists():
        console.print(f"[red]No warehouse at {state.paths.warehouse}[/red]: run `python -m pipelines all PATH` first.")
        raise typer.Exit(1)
    _train(oracle)


@app.command(name="all")
def all_(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the ingest report as JSON.")] = False,
    oracle: Annotated[Optional[Path], typer.Option(help=ORACLE_HELP)] = None,
) -> None:
    """Ingest, then build, then train."""
    _ingest(paths, as_json)
    _build()
    _train(oracle)


@app.command()
def demo() -> None:
    """Build the warehouse from the bundled sample organisation unless one exists already."""
    if state.paths.warehouse.exists():
        console.print(f"Using the existing warehouse {state.paths.warehouse}")
        return
    from pipelines.config import load_settings

    sample_settings = SAMPLE_DIR / "tenure.toml"
    if sample_settings.exists() and state.settings.source.endswith("default_settings.toml"):
        state.settings = load_settings(sample_settings)
    console.print("First run: building the warehouse from the bundled sample organisation")
    _ingest([SAMPLE_DIR], as_json=False)
    _build()
    truth = SAMPLE_DIR / "truth" / "person_months.csv"  # the sample's planted hazards: the card's oracle
    _train(truth if truth.is_file() else None)


@app.command()
def summary(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the only format for now).")] = True,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="YYYY-MM-DD; default the latest data date.")] = None,
) -> None:
    """The executive figures for the trailing 12 months ending at --as-of."""
    from pipelines.access import Viewer
    from pipelines.metrics import open_context
    from pipelines.metrics.summary import get_executive_summary

    if not state.paths.warehouse.exists():
        console.print(f"[red]No warehouse at {state.paths.warehouse}[/red]: run `python -m pipelines all PATH` first.")
        raise typer.Exit(1)
    try:
        when = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        console.print(f"[red]--as-of {as_of!r}[/red] is not a date; write it as YYYY-MM-DD.")
        raise typer.Exit(2) from None
    with open_context(state.paths.warehouse, state.settings) as ctx:
        figures = get_executive_summary(Viewer.system(), ctx, as_of=when)
    typer.echo(json.dumps(figures, indent=2, default=str))


@app.command()
def bench(
    people: Annotated[int, typer.Option(help="People in the generated organisation (at least).")] = 300,
    tickets: Annotated[int, typer.Option(help="Tickets to generate (about; history years follow).")] = 200_000,
    out: Annotated[Path, typer.Option(help="Work folder for the exports and the data.")] = Path("data/local/bench"),
    keep: Annotated[bool, typer.Option("--keep", help="Keep the generated exports and warehouse.")] = False,
    report: Annotated[Path, typer.Option(help="Markdown file to write the table to.")] = Path("BENCHMARKS.md"),
    reuse: Annotated[
        bool, typer.Option("--reuse", help="Reuse the organisation an earlier --keep run generated in --out.")
    ] = False,
    skip: Annotated[
        str, typer.Option(help="With --reuse: stages to take from the earlier run, comma-separated (floor,pandas).")
    ] = "",
) -> None:
    """Generate an organisation at scale, time every stage against the DuckDB floor, write BENCHMARKS.md."""
    from pipelines.bench import run_bench

    stages = [s.strip() for s in skip.split(",") if s.strip()]
    with _progress() as progress:
        result = run_bench(
            people, tickets, out, keep=keep, report=report, progress=_Reporter(progress), reuse=reuse, skip=stages
        )
    table = Table(title=f"Benchmark: {result.tickets:,} tickets, {result.people_generated:,} people")
    for col in ("stage", "seconds", "peak MB", "note"):
        table.add_column(col, justify="right" if col in {"seconds", "peak MB"} else "left")
    for s in result.stages:
        table.add_row(s.name, f"{s.seconds:,.1f}", f"{s.peak_mb:,.0f}", s.note)
    console.print(table)
    if result.pages:
        slow_cold = max(result.pages, key=lambda p: p.cold_ms)
        slow_warm = max(result.pages, key=lambda p: p.warm_ms)
        console.print(
            f"Pages: slowest cold {slow_cold.name} {slow_cold.cold_ms:,.0f} ms, "
            f"slowest warm {slow_warm.name} {slow_warm.warm_ms:,.0f} ms; report written to {report}"
        )
    if not result.ok:
        console.print("[red]A stage or a read function failed[/red]: see the table and the report.")
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
