"""Quarantine review (../shared/DESIGN.md section 7): the queue, record details, appending reviews, release.

Framework-free: ``flows/review_app.py`` (web app) and ``flows/cli_review.py`` (``sieve review``, ``sieve release``)
are thin layers over these modules.

* ``queue``: the filtered, paged queue of quarantined records and their status (latest review wins).
* ``record``: one record with findings, spans, scores, duplicate cluster and earlier reviews.
* ``highlight``: the record text cut into highlighted pieces, invisible characters made visible.
* ``reviews``: appending reviews (catalog table + Parquet journal), one record or a whole filtered selection.
* ``release``: approved records into clean as a new version with its own provenance; the newest quarantined copy
  of a record decides. ``release_scan`` analyses records no stage read for PII, ``release_unicode`` removes
  hidden Unicode the run's policy would not let into clean.
* ``tokens`` / ``sessions``: reviewer tokens, browser sessions and CSRF tokens.
* ``access``: short-lived catalog connections that coexist with runs refreshing the catalog.
"""
