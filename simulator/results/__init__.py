"""Results of a run: KPIs and the run folder."""
