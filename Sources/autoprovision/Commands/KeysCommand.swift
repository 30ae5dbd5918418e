public import ArgumentParser
public import Provisioning

extension FunctionKey.Kind: ExpressibleByArgument {}

extension DeviceCommand {
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, add or remove a phone's programmable keys (BLF, speed dial).",
            discussion: """
                Keys follow the phone's line keys in the order listed. A BLF key needs a hint for the \
                monitored extension in Asterisk (see asterisk-conf/extensions.conf).
                """
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "The phone's MAC.") var mac: String
        @Option(help: "Append a key for this extension or number.") var add: String?
        @Option(help: "The text beside the added key.") var label: String = ""
        @Option(help: "blf (busy lamp, the default) or speed (speed dial).") var type: FunctionKey.Kind = .blf
        @Option(help: "Remove the key at this position (from 1, as --list shows).") var remove: Int?
        @Flag(help: "List the keys (the default).") var list = false

        func validate() throws {
            if add != nil, remove != nil { throw ValidationError("give --add or --remove, not both") }
        }

        func run() async throws {
            let mac = try parseMAC(mac)
            let store = try store.open()
            var keys: [FunctionKey]
            if let add {
                keys = try store.addFunctionKey(mac: mac, FunctionKey(kind: type, value: add, label: label), actor: "cli")
                print("key \(keys.count) of \(mac): \(type.rawValue) \(add)")
            } else if let remove {
                keys = try store.removeFunctionKey(mac: mac, position: remove, actor: "cli")
                print("key \(remove) of \(mac) removed")
            } else {
                keys = try store.functionKeys(mac: mac)
            }
            guard add == nil, remove == nil else { return }
            if keys.isEmpty {
                print("\(mac) has no keys")
                return
            }
            TextTable.print(
                header: ["#", "TYPE", "VALUE", "LABEL"],
                rows: keys.enumerated().map { [String($0.offset + 1), $0.element.kind.rawValue, $0.element.value, $0.element.label] }
            )
        }
    }
}
