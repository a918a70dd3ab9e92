"""Signals juries sends for the apps that follow results without juries depending on them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction when a decision replaces another after re-examination: `old`, `new` (Decision).
# The results app closes the appeal; certificates follows with parchments once the new one is final.
decision_revised = Signal()
