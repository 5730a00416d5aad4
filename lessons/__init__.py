"""ChartLab lessons package."""
