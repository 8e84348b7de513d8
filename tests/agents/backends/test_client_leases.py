"""Each running episode gets async clients of its own (so httpcore never scans a pool full of
other episodes' connections), returned on exit for the next episode on the loop, and closed
when the last backend on the endpoint is done."""

from __future__ import annotations

import asyncio

from treatylab.agents.backends.clients import episode_connections
from treatylab.agents.backends.openai_kind import client_pool
from treatylab.graphs import RunConfig
from treatylab.runner import run_episode
from treatylab.scenarios import load
from treatylab.simulator import MODEL_ID
from treatylab.simulator.server import start_simulator

SPEC = f"openai:{MODEL_ID}"


def _config(base_url: str, seed: int) -> RunConfig:
    return RunConfig(mediator="formulative", seed=seed, base_url=base_url,
                     default_backend=SPEC, mediator_backend=SPEC)


def _connections(client) -> int:
    return len(client._client._transport._pool.connections)


def test_concurrent_episodes_lease_their_own_clients_and_reuse_them() -> None:
    scenario = load("northern-shield")
    with start_simulator() as sim:
        async def main() -> tuple[list, list, list]:
            loop = asyncio.get_running_loop()
            pool = client_pool(sim.base_url, SPEC)
            pool.retain()  # a long-lived user of the endpoint, as in a sweep
            try:
                await asyncio.gather(run_episode(scenario, _config(sim.base_url, 1)),
                                     run_episode(scenario, _config(sim.base_url, 2)))
                after_two = list(pool._idle[loop])
                widths = [_connections(client) for client in after_two]
                await run_episode(scenario, _config(sim.base_url, 3))
                after_three = list(pool._idle[loop])
            finally:
                await pool.release()
            return after_two, widths, after_three

        after_two, widths, after_three = asyncio.run(main())
    assert len(after_two) == 2 and after_two[0] is not after_two[1]
    assert all(1 <= width <= 5 for width in widths)  # one episode's parallel turns at most
    assert {id(c) for c in after_three} == {id(c) for c in after_two}  # reused, not new
    assert all(client.is_closed() for client in after_two)  # the last release closed them


def test_outside_an_episode_the_loop_shares_one_client() -> None:
    with start_simulator() as sim:
        async def main() -> tuple:
            pool = client_pool(sim.base_url, SPEC)
            first, second = pool.async_client(), pool.async_client()
            async with episode_connections():
                leased = pool.async_client()
                again = pool.async_client()
            pool.retain()
            await pool.release()
            return first, second, leased, again

        first, second, leased, again = asyncio.run(main())
    assert first is second
    assert leased is again and leased is not first
    assert first.is_closed() and leased.is_closed()
