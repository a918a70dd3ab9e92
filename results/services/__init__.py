"""Writes about a result's life after the certification jury: appeals and their re-examination
(`results.services.appeals`), PV addenda and revocation (`results.services.addenda`, `results.services.revocation`),
prior acquisitions' bulk import and resits (`results.services.resits`)."""
