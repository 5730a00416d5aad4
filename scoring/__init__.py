"""ChartLab scoring package."""
