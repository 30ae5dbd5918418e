import Provisioning

/// The fixes several Asterisk checks share.
enum AsteriskFixes {
    /// How to get the generated dialplan and guest endpoint into Asterisk.
    static func include(_ settings: PnPSettings) -> String {
        if settings.asteriskConfDir.isEmpty {
            return "autoprovision settings set asterisk-conf-dir /etc/asterisk/autoprovision, add the #include lines "
                + "'autoprovision asterisk-conf --print-includes' prints to extensions.conf and pjsip.conf, start serve, then asterisk -rx 'core reload'"
        }
        return "add the #include lines 'autoprovision asterisk-conf --print-includes' prints to extensions.conf and pjsip.conf, "
            + "then asterisk -rx 'core reload'"
    }

    /// How to make Asterisk's copy of the generated files current.
    static func regenerate(_ settings: PnPSettings, agi: String) -> String {
        if settings.asteriskConfDir.isEmpty {
            return "write the files again (autoprovision asterisk-conf --agi \(agi) --output DIR) and asterisk -rx 'core reload', "
                + "or let serve keep them current: autoprovision settings set asterisk-conf-dir DIR"
        }
        return "(re)start serve with --agi \(agi): it rewrites \(settings.asteriskConfDir) where it differs and reloads Asterisk"
    }
}
