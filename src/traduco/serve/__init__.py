"""`traduco serve`: the flows' deployments and schedules, and the editor's approval of publish runs.

- `serve.deployments`: what serve serves: the flows' deployments, schedules, a line per run
- `serve.approval`: the editor's approval of a publish run: Prefect suspension, waiting runs, decisions
"""
