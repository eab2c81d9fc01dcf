/** queryNtp's contract over node:dgram (`native: false`). */
import { ntpClientContract } from "./helpers/ntp-client-contract.js";

ntpClientContract("dgram");
