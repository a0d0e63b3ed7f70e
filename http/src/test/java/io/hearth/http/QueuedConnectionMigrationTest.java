package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QueuedConnectionMigration on a stand-in for /proc/sys/net/ipv4/tcp_migrate_req: a file in a temporary folder. */
class QueuedConnectionMigrationTest {
    @TempDir
    Path dir;

    @Test
    void enablingWritesOneAndSaysWhatItWasBefore() throws Exception {
        Path setting = Files.writeString(dir.resolve("tcp_migrate_req"), "0\n");
        String line = new QueuedConnectionMigration(setting).enable();
        assertThat(Files.readString(setting)).isEqualTo("1");
        assertThat(line).contains("from 0 to 1");
        assertThat(new QueuedConnectionMigration(setting).describe()).as("nothing to say once it is on").isNull();
    }

    @Test
    void enablingOnAKernelWithoutTheSettingSaysWhichKernelsHaveItAndCreatesNothing() {
        Path setting = dir.resolve("tcp_migrate_req");
        String line = new QueuedConnectionMigration(setting).enable();
        assertThat(line).contains("Linux 5.14").contains(setting.toString()).contains("reset");
        assertThat(setting).doesNotExist();
    }

    @Test
    void enablingWhereTheSettingCannotBeReadSaysWhyAndChangesNothing() throws Exception {
        Path notAFile = Files.createDirectory(dir.resolve("tcp_migrate_req"));
        String line = new QueuedConnectionMigration(notAFile).enable();
        assertThat(line).contains("cannot read").contains(notAFile.toString()).contains("reset");
        assertThat(notAFile).isEmptyDirectory();
    }

    @Test
    void describingAnOffSettingNamesTheFlagAndTheSysctl() throws Exception {
        Path setting = Files.writeString(dir.resolve("tcp_migrate_req"), "0\n");
        String line = new QueuedConnectionMigration(setting).describe();
        assertThat(line).contains("is 0").contains("--migrate-queued-connections").contains("sysctl -w net.ipv4.tcp_migrate_req=1");
        assertThat(Files.readString(setting)).as("describing changes nothing").isEqualTo("0\n");
    }
}
