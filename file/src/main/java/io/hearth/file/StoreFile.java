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
     * Maps the file, writing a new layout when it is empty or a creation was cut short. The caller
     * holds an exclusive OS lock on the file, so no other process is creating it at the same time.
     *
     * @throws IncompatibleStoreException without writing a byte, when the file is not a store of this format
     */
    static StoreFile mapOrCreate(Path path, FileChannel channel, StoreLayout wanted) throws IOException {
        if (channel.size() > 0) {
            StoreLayout existing = StoreHeader.readLayout(path, channel);
            if (existing != null) {
                return map(path, channel, existing, false);
            }
        }
        return create(path, channel, wanted);
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

    private static StoreFile create(Path path, FileChannel channel, StoreLayout layout) throws IOException {
        channel.truncate(0);
        channel.write(StoreHeader.initial(layout), 0);
        // Grow to full length by writing the last byte: the tables start zeroed and the file stays sparse.
        channel.write(ByteBuffer.allocate(1), layout.fileLength() - 1);
        channel.force(true);
        StoreFile file = map(path, channel, layout, true);
        file.header.publish();
        file.mapped.force();
        return file;
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
