"""Notify: telling people that work waits for them, and that a run failed.

- `notify.channels`: who hears what: webhook, e-mail, Prefect notification blocks, and delivering to each
- `notify.messages`: the messages: drafts waiting, a plan waiting, work left, a failed run
- `notify.sending`: a message sent through Prefect automations or directly; the flows' failure hook
- `notify.automations`: the notify rules as Prefect automations on serve's server, and the runs' events
"""
