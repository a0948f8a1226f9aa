/**
 * Errors of the JPEG codec. Malformed input throws JpegFormatError; well-formed JPEG that uses
 * a feature this codec leaves out (progressive, arithmetic coding, 12-bit samples, other
 * subsampling) throws UnsupportedJpegError, so callers can tell "broken" from "not handled".
 * Decoding an entropy-coded body never throws: damage there is reported per MCU instead.
 */
export class JpegFormatError extends Error {
  override name = 'JpegFormatError';
}

export class UnsupportedJpegError extends JpegFormatError {
  override name = 'UnsupportedJpegError';
}
