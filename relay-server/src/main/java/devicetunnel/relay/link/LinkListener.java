package devicetunnel.relay.link;

/**
 * Told when this relay gains or loses a device's control link (cluster presence writes it down).
 * Called with no lock held, once per link each way, "up" before "down".
 */
public interface LinkListener {
    void linkUp(DeviceLink link);

    void linkDown(DeviceLink link);

    LinkListener NONE = new LinkListener() {
        @Override
        public void linkUp(DeviceLink link) {}

        @Override
        public void linkDown(DeviceLink link) {}
    };
}
