"""`traduco serve`: the flows' deployments and schedules, and the editor's approval of publish runs.

- `serve.deployments`: what serve serves: the flows' deployments, schedules, a line per run
- `serve.approval`: the editor's approval of a publish run: its plan kept, the Prefect suspension, the decision
- `serve.waiting`: the publish runs that wait, as the editor sees them: their plans, an id's start, how one ended
"""
