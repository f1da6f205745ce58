"""pmcockpit: the administrator's cockpit for project-management tools."""

__version__ = "0.1.0"
