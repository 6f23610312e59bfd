"""Anonymised alerts to the other schools of a cluster: the side route "alert the cluster's schools".

- `drafts.py`: what an alert says, pre-filled from an incident without personal data, and the
  check that a draft names nobody the school knows;
- `actions.py`: sending (one atomic act that completes the step) and the idempotent emails;
- `forms.py`, `views.py`: the compose page, the receiving schools' list and detail (the
  landing-page panel is dashboard/panels/cluster.py).
The model is `incidents.models.ClusterAlert`.
"""
