/// The templates "Load examples" seeds: one per vendor, each a complete file with placeholders.
enum ExampleTemplates {
    static let all: [(Vendor, String)] = [
        (.yealink, yealink), (.snom, snom), (.fanvil, fanvil), (.grandstream, grandstream), (.htek, htek),
    ]

    static let yealink = """
        #!version:1.0.0.1
        account.1.enable = 1
        account.1.label = {DISPLAY_NAME} ({SIP_NUM})
        account.1.display_name = {DISPLAY_NAME}
        account.1.auth_name = {SIP_USER_NAME}
        account.1.user_name = {SIP_NUM}
        account.1.password = {SIP_PASS}
        account.1.sip_server_host = {PBX_HOST}
        account.1.sip_server_port = {SIP_PORT}
        account.1.transport = 0
        account.1.codec.1.enable = 1
        account.1.codec.1.payload_type = PCMU
        account.1.codec.1.priority = 1
        account.1.codec.1.rtpmap = 0
        account.1.cid_source = 4
        local_time.time_zone = +1
        local_time.ntp_server1 = {PBX_HOST}
        features.dtmf.transfer = ##
        features.headset_prior = 1

        """

    static let snom = """
        <?xml version="1.0" encoding="utf-8"?>
        <settings>
            <time_24_format perm="R">on</time_24_format>
            <phone-settings>
                <user_pname idx="1" perm="RW">{SIP_USER_NAME}</user_pname>
                <user_name idx="1" perm="RW">{SIP_NUM}</user_name>
                <user_realname idx="1" perm="RW">{DISPLAY_NAME}</user_realname>
                <user_pass idx="1" perm="RW">{SIP_PASS}</user_pass>
                <user_host idx="1" perm="RW">{PBX_HOST}</user_host>
                <user_srtp idx="1" perm="RW">off</user_srtp>
                <ntp_server perm="RW">{PBX_HOST}</ntp_server>
            </phone-settings>
        </settings>

        """

    static let fanvil = """
        <<VOIP CONFIG FILE>>Version:2.0002
        PNP Enable         :0
        <SIP CONFIG MODULE>
        SIP1 Enable Reg    :1
        SIP1 Phone Number  :{SIP_NUM}
        SIP1 Display Name  :{DISPLAY_NAME}
        SIP1 Register Addr :{PBX_HOST}
        SIP1 Register Port :{SIP_PORT}
        SIP1 Register User :{SIP_USER_NAME}
        SIP1 Register Pswd :{SIP_PASS}
        <<END OF FILE>>

        """

    static let grandstream = """
        <?xml version="1.0" encoding="UTF-8" ?>
        <gs_provision version="1">
         <config version="1">
            <P271>1</P271>
            <P270>{DISPLAY_NAME}</P270>
            <P47>{PBX_HOST}</P47>
            <P35>{SIP_NUM}</P35>
            <P36>{SIP_USER_NAME}</P36>
            <P34>{SIP_PASS}</P34>
            <P3>{DISPLAY_NAME}</P3>
            <P26015>1</P26015>
            <P30>{PBX_HOST}</P30>
         </config>
        </gs_provision>

        """

    static let htek = """
        <?xml version="1.0" encoding="UTF-8" ?>
        <hl_provision version="1">
            <config version="1">
                <P47 para="Profile1_Sipserver">{PBX_HOST}:{SIP_PORT}</P47>
                <P271 para="Account1_Active">1</P271>
                <P35 para="Account1_SipUserId">{SIP_NUM}</P35>
                <P36 para="Account1_AuthenticateID">{SIP_USER_NAME}</P36>
                <P34 para="Account1_AuthenticatePassword">{SIP_PASS}</P34>
                <P3 para="Account1_DispalyName">{DISPLAY_NAME}</P3>
            </config>
        </hl_provision>

        """
}
