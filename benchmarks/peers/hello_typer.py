"""The start-up baseline: a Typer hello world, run as `python -m benchmarks.peers.hello_typer`."""

import typer

app = typer.Typer()


@app.command()
def hello(name: str = "World") -> None:
    """Say hello."""
    print(f"Hello {name}")


@app.command()
def goodbye(name: str = "World") -> None:
    """Say goodbye."""
    print(f"Goodbye {name}")


if __name__ == "__main__":
    app()
