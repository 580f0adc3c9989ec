"""Project appraisal: benefits, economics and sampled uncertainty of a project against a reference."""
