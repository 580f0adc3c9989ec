"""Project appraisal: `siepac appraise`."""
