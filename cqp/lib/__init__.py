"""Small helpers shared by the apps (text folding, SIRET, block order, outcome words, private files, claims)."""
