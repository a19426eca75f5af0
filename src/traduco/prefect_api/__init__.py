"""The Prefect API traduco talks to: a command's own, serve's local one, or a configured server.

- `prefect_api.servers`: Prefect servers: serve's local one, a command's own API
- `prefect_api.processes`: the server processes traduco starts: die with it, answer as this user's, stop in order
- `prefect_api.roles`: the roles on serve's server: reviewers read and decide, the operator does the rest
- `prefect_api.listeners`: who listens on a local port (the password goes only to this user's server)
"""
