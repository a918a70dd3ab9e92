"""The demo's data, one module a scenario, loaded in this order by `manage.py load_demo`: `accounts` (one account
per role), `registry` (the juries' registry and how the demo juries are composed), then three sessions of BJO
Formation in RNCP 26850: `upcoming` (to come, convoked), `graded` (graded by its jury and transmitted, half
decided) and `certified` (taken to the end: PV, CPNEFP validation, parchments). `sessions` holds what the three
share. Each scenario writes through the services and leaves what it finds as it is (a second run adds nothing)."""
