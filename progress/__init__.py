"""ChartLab progress package."""
