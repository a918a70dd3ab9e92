"""Pages of a result's life: appeals, PV addenda, revocation, prior acquisitions, resits (one module each)."""
