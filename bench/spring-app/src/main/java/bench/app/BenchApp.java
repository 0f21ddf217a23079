package bench.app;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@SpringBootApplication
public class BenchApp {
    public static void main(String[] args) {
        SpringApplication.run(BenchApp.class, args);
    }

    /** Stands for the slow part of a real service's start-up (DB pools, caches): runs before the port opens. */
    @Component
    static class BootDelay {
        BootDelay(@Value("${BOOT_DELAY:0}") double seconds) throws InterruptedException {
            Thread.sleep((long) (seconds * 1000));
        }
    }

    @RestController
    static class Hello {
        @Value("${VERSION:unknown}")
        String version;

        @GetMapping("/")
        String hello() {
            return "bench app " + version + "\n";
        }
    }
}
