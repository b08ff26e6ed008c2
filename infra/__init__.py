"""The infrastructure side: stack settings and the Pulumi component that deploys the API.

``infra.settings`` imports nothing from Pulumi, so the local server reads the
same stack configuration the deployment does.
"""
