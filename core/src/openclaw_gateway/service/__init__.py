"""Running the gateway under the OS supervisor: a systemd *user* unit (Linux) or a launchd agent
(macOS). ``units.py`` renders them (pure functions); ``manager.py`` installs and drives them."""
