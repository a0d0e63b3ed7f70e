package io.hearth.file;

import io.hearth.IncompatibleStoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The store file ({@code PATH}) mapped: its layout ({@link StoreLayout}), its header
 * ({@link StoreHeader}) and the mapping the regions read and write ({@link MappedFile}). The
 * entries live in a second file, {@code PATH.entries} ({@link EntriesFile}).
 */
final class StoreFile {
    private final MappedFile mapped;
    private final StoreLayout layout;
    private final StoreHeader header;
    private final boolean created;

    private StoreFile(MappedFile mapped, StoreLayout layout, boolean created) {
        this.mapped = mapped;
        this.layout = layout;
        this.header = new StoreHeader(mapped);
        this.created = created;
    }

    /**
     * Maps an existing, complete store file; never writes.
     *
     * @throws IncompatibleStoreException when the file is empty, cut short, or not a store of this format
     */
    static StoreFile mapExisting(Path path, FileChannel channel) throws IOException {
        StoreLayout existing = channel.size() == 0 ? null : StoreHeader.readLayout(path, channel);
        if (existing == null) {
            throw new IncompatibleStoreException("file " + path + " is not a Hearth store yet: its creation was"
                    + " cut short (or never started); the next open creates it; the file was not modified");
        }
        return map(path, channel, existing, false);
    }

    private static StoreFile map(Path path, FileChannel channel, StoreLayout layout, boolean created) throws IOException {
        return new StoreFile(new MappedFile(path, channel.map(FileChannel.MapMode.READ_WRITE, 0, layout.fileLength())),
                layout, created);
    }

    /**
     * Writes a new store's header, not yet published ({@link StoreHeader#INITIALISING_MAGIC}), and
     * allocates every block of the file before mapping it: a full disk then fails here, with an
     * IOException, never later as a fault on a mapped page. The caller holds the open lock and
     * calls {@link #publish()} once the store's entries file is in place.
     */
    static StoreFile beginCreation(Path path, FileChannel channel, StoreLayout layout, byte[] storeId) throws IOException {
        channel.truncate(0);
        channel.write(StoreHeader.initial(layout, storeId), 0);
        CreationSteps.reached("store-header-written");
        ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
        for (long position = StoreHeader.LENGTH; position < layout.fileLength(); position += zeros.capacity()) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), layout.fileLength() - position));
            while (zeros.hasRemaining()) {
                channel.write(zeros, position + zeros.position());
            }
        }
        channel.force(true);
        CreationSteps.reached("store-file-allocated");
        return map(path, channel, layout, true);
    }

    /** Makes a new store visible: the magic goes in last, so a process that sees it sees a complete store. */
    void publish() {
        header.publish();
        mapped.force();
    }

    Path path() {
        return mapped.path();
    }

    MappedFile mapped() {
        return mapped;
    }

    StoreLayout layout() {
        return layout;
    }

    StoreHeader header() {
        return header;
    }

    /** Whether this open created the layout (the file was empty, or a creation had been cut short). */
    boolean created() {
        return created;
    }
}
