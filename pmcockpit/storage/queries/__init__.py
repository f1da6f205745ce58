"""Read models: one module per area (home, review, queue, audit, connections...).

Each takes plain values (a session, limits, filters; never ``Settings``) and returns
typed view models. Screens and commands read through these; every change goes
through the services.
"""
