"""Appeals' access, lists and letters (their services are `results.services.appeals`, their pages
`results.views.appeals`)."""
