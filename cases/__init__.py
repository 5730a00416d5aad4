"""ChartLab cases package."""
