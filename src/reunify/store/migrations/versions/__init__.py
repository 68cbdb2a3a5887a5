"""One module per revision. Ids: 0001_canonical, 0002_staging, 0003_web, 0004_review, then 0005_..."""
