/** startNtpServer's contract over node:dgram (`native: false`). */
import { ntpServerContract } from "./helpers/ntp-server-contract.js";

ntpServerContract("dgram");
