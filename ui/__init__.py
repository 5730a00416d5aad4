"""ChartLab ui package."""
